/** Attempts and outcomes over engine time, drawn with uPlot (canvas, ~50 kB, no dependencies). */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ActivityBucket {
  at: number;
  attempts: number;
  succeeded: number;
  failed: number;
}

export function ActivityChart(props: { buckets: ActivityBucket[] }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = (): uPlot.AlignedData => [
    props.buckets.map((b) => b.at / 1000),
    props.buckets.map((b) => b.attempts),
    props.buckets.map((b) => b.succeeded),
    props.buckets.map((b) => b.failed),
  ];

  useEffect(() => {
    const el = host.current!;
    const width = () => Math.max(260, el.clientWidth - 8);
    plot.current = new uPlot(
      {
        width: width(),
        height: 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        series: [
          { label: 'engine time (UTC)' },
          { label: 'attempts', stroke: '#2563eb', width: 2, points: { size: 8 } },
          { label: 'succeeded', stroke: '#16a34a', width: 2, points: { size: 6 } },
          { label: 'failed', stroke: '#dc2626', width: 2, points: { size: 6 } },
        ],
        // One bucket alone would stretch over years: keep at least an hour either side.
        scales: { x: { time: true, range: (_u, min, max) => [min - 3600, max + 3600] }, y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] } },
        axes: [{}, { label: 'calls per hour' }],
      },
      data(),
      el,
    );
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: 220 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(data());
  }, [props.buckets]);

  const total = props.buckets.reduce((n, b) => n + b.attempts, 0);
  return (
    <figure class="chart" data-testid="activity-chart" data-attempts={total}>
      <div ref={host} />
      <figcaption>
        {total} attempts in {props.buckets.length} hour(s) of engine time
      </figcaption>
    </figure>
  );
}
