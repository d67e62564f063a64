/**
 * Number types (`callNoType`): VDN-wide names such as `st` or `OD` that label called numbers
 * (call-data add v2 `type`) and select number-type retry policies (`dataType`).
 */
import { writeTransaction } from '../store/group-commit.js';
import type { NumberTypeAdd } from '../contract/call-data.js';
import { existingNumberTypes, insertNumberTypes, numberTypeNames } from '../store/call-data.repository.js';
import { isUniqueViolation } from '../store/errors.js';
import type { DomainContext } from './context.js';
import { paramError } from './errors.js';

/**
 * Adds up to 20 names, all or nothing: a name twice in the request, or one the VDN already
 * has, refuses the whole request (0200001) so the caller learns which name clashed. Names are
 * case-sensitive.
 */
export async function addNumberTypes(ctx: DomainContext, vdnId: number, body: NumberTypeAdd): Promise<void> {
  const now = ctx.clock.now();
  const seen = new Set<string>();
  for (const name of body.callNoTypes) {
    if (seen.has(name)) throw paramError(`number type ${name} appears twice in the request; nothing was added`);
    seen.add(name);
  }
  try {
    await writeTransaction(ctx.db, async (trx) => {
      const existing = await existingNumberTypes(trx, vdnId, body.callNoTypes);
      const clash = body.callNoTypes.find((n) => existing.has(n));
      if (clash !== undefined) throw paramError(`number type ${clash} already exists in VDN ${vdnId}; nothing was added`);
      await insertNumberTypes(trx, vdnId, body.callNoTypes, now);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw paramError('a number type of the request already exists; nothing was added');
    throw e;
  }
}

/** The VDN's number types, in the order they were added. */
export async function listNumberTypes(ctx: DomainContext, vdnId: number): Promise<string[]> {
  return numberTypeNames(ctx.db, vdnId);
}
