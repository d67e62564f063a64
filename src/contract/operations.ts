/**
 * The name of every interface: `METHOD /path/{param}` → operationId. The OpenAPI document
 * (http/openapi.ts) sets each operation's `operationId` from this table, and the typed client
 * (src/client/generated.ts, written by `npm run gen:client`) has one method of that name per
 * operation, so the table is the one place where an interface is named. test/openapi.test.ts
 * checks that every served route has a name here and every name a route.
 *
 * Names follow the vendor's page titles where they exist ("add campaign" → createCampaign);
 * the methods the hand-written client had keep their names.
 */
export const OPERATION_IDS = {
  // Campaigns
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}': 'createCampaign',
  'POST /rest/isales/v2/openapi/campaigns/{vdnId}': 'createCampaignV2',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}': 'listCampaigns',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/{campaignId}': 'getCampaign',
  'PUT /rest/isales/v1/openapi/campaigns/{vdnId}/{campaignId}': 'updateCampaign',
  'PUT /rest/isales/v2/openapi/campaigns/{vdnId}/{campaignId}': 'updateCampaignV2',
  'DELETE /rest/isales/v1/openapi/campaigns/{vdnId}/{campaignId}': 'deleteCampaign',
  'PUT /rest/isales/v1/openapi/campaigns/{vdnId}/{campaignId}/pause': 'pauseCampaign',
  'PUT /rest/isales/v1/openapi/campaigns/{vdnId}/{campaignId}/resume': 'resumeCampaign',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/retryPolicy/{campaignId}': 'setRetryPolicy',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/retryPolicy/{campaignId}': 'getRetryPolicy',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/addBusinessResult': 'addBusinessResult',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/queryBusinessResults': 'listBusinessResults',
  // Call batches
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/create': 'createBatch',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/update': 'updateBatch',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/delete': 'deleteBatch',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/list': 'listBatches',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/pause': 'pauseBatch',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/resume': 'resumeBatch',
  // Reservations
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/appoint/create': 'createAppointment',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/appoint/updateResult': 'updateAppointmentResult',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/appoint/update': 'updateAppointment',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/appoint/delete': 'deleteAppointment',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/appoint/list': 'listAppointments',
  // Calling numbers
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callerNo/{campaignId}': 'addCallerNumbers',
  'DELETE /rest/isales/v1/openapi/campaigns/{vdnId}/callerNo/{campaignId}': 'deleteCallerNumbers',
  // OBS result codes and external results
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/queryOBSResultCode': 'listObsResultCodes',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/createObResult': 'createObResult',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/updateObResult': 'updateObResult',
  'DELETE /rest/isales/v1/openapi/campaigns/{vdnId}/{defId}/deleteObsResult': 'deleteObResult',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/queryOBSResults': 'listObResults',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/{defId}/queryObsResultDetail': 'getObResult',
  // Call data
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/calldata/{campaignId}': 'addCallData',
  'POST /rest/isales/v2/openapi/campaigns/{vdnId}/calldata/{campaignId}': 'addCallDataV2',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/calldata/{campaignId}/delete': 'deleteCallData',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/calldata/{campaignId}/{dataId}': 'getCallData',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callNoType/add': 'addNumberTypes',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/callNoType/query': 'listNumberTypes',
  'GET /rest/isales/v2/openapi/campaigns/{vdnId}/statistics': 'getStatistics',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/groupcalldata': 'groupCallData',
  // Blocklist
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/blocklist/add': 'addBlocklist',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/blocklist/delete': 'deleteBlocklist',
  'DELETE /rest/isales/v1/openapi/campaigns/{vdnId}/blocklist': 'clearBlocklist',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/blocklist/query': 'queryBlocklist',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/blackCategory/create': 'createBlocklistGroup',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/blackCategory/update': 'updateBlocklistGroup',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/blackCategory/query': 'listBlocklistGroups',
  'DELETE /rest/isales/v1/openapi/campaigns/{vdnId}/blackCategory/{categoryId}': 'deleteBlocklistGroup',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/blackType/create': 'createBlocklistType',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/blackType/update': 'updateBlocklistType',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/blackType/query': 'listBlocklistTypes',
  'DELETE /rest/isales/v1/openapi/campaigns/{vdnId}/blackType/{typeId}': 'deleteBlocklistType',
  // Special dates
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/holiday/{campaignId}': 'listSpecialDates',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/holiday/{campaignId}': 'addSpecialDate',
  'PUT /rest/isales/v1/openapi/campaigns/{vdnId}/holiday/{campaignId}': 'updateSpecialDate',
  'DELETE /rest/isales/v1/openapi/campaigns/{vdnId}/holiday/{campaignId}': 'deleteSpecialDates',
  'DELETE /rest/isales/v1/openapi/campaigns/{vdnId}/holiday/{campaignId}/{holidayId}': 'deleteSpecialDate',
  // Results and records
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callresult/{campaignId}': 'queryCallResults',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/callresultdetail/{callId}': 'getCallResultDetail',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/failcategorystatistics': 'getFailCategoryStatistics',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callBusiResult/{dataId}': 'setCallBusinessResult',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/calllogs': 'queryCallLogs',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callRecord': 'queryCallRecords',
  'POST /rest/isales/v2/openapi/campaigns/{vdnId}/callRecord': 'queryCallRecordsV2',
  // File servers and file imports
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/file/addServer': 'addFileServer',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/file/{serverId}/deleteServer': 'deleteFileServer',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/file/{serverId}/updateServer': 'updateFileServer',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/file/queryServer': 'listFileServers',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/calldatafile/uploadFileServer/{campaignId}': 'importCallDataFile',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/calldatafile/queryDataImportTask/{campaignId}': 'listCallDataImportTasks',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/blackfile/uploadFileServer': 'importBlocklistFile',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/blackfile/queryDataImportTask': 'listBlocklistImportTasks',
  // Campaign templates
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/template': 'listTemplates',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/template': 'createTemplate',
  'GET /rest/isales/v1/openapi/campaigns/{vdnId}/template/{campaignTemplateId}': 'getTemplate',
  'POST /rest/isales/v1/openapi/campaigns/{vdnId}/template/copy': 'copyTemplate',
  'PUT /rest/isales/v1/openapi/campaigns/{vdnId}/template/{campaignTemplateId}/update': 'updateTemplate',
  // campaignd extensions
  'GET /campaignd/v1/clock': 'getClock',
  'POST /campaignd/v1/clock': 'setClock',
  'GET /campaignd/v1/campaigns/{vdnId}/{campaignId}/calldata/{dataId}/trail': 'getCallDataTrail',
  'GET /campaignd/v1/campaigns/{vdnId}/reservations/due': 'listDueReservations',
  'GET /campaignd/v1/campaigns/{vdnId}/{campaignId}/progress': 'getProgress',
  'GET /campaignd/v1/campaigns/{vdnId}/{campaignId}/preflight': 'getPreflight',
  'POST /campaignd/v1/campaigns/{vdnId}/calls/{callId}/result': 'reportCallResult',
  'POST /campaignd/v1/campaigns/{vdnId}/templates/{campaignTemplateId}/campaign': 'createCampaignFromTemplate',
  'GET /campaignd/v1/campaigns/{vdnId}/calls/{callId}/sip': 'getSipCall',
} as const satisfies Record<string, string>;

/** `METHOD /path/{param}` of a named interface. */
export type OperationKey = keyof typeof OPERATION_IDS;
/** The name of an interface (`createCampaign`, …). */
export type OperationId = (typeof OPERATION_IDS)[OperationKey];
