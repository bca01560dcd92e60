/** Latency buckets in seconds. */
const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type Labels = Record<string, string>;

const key = (labels: Labels) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

/** The runtime's Prometheus metrics: invocations, errors, latency, cold starts, instances, queue. */
export class Metrics {
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly histograms = new Map<string, { counts: number[]; sum: number; count: number }>();
  private readonly gauges = new Map<string, () => Array<{ labels: Labels; value: number }>>();
  private readonly help: Record<string, string> = {
    faasport_invocations_total: 'Invocations by function, revision and status code.',
    faasport_invocation_errors_total: 'Invocations that failed (status >= 500 or a platform error).',
    faasport_cold_starts_total: 'Instances started, by function and whether a pooled worker was used.',
    faasport_events_delivered_total: 'Events delivered to functions.',
    faasport_events_dead_lettered_total: 'Events moved to the dead-letter store after their retries.',
    faasport_invocation_duration_seconds: 'Invocation latency through the gateway.',
  };

  private readonly keys = new Map<string, string>();

  /** The rendered label set, cached (the same few label sets repeat on every request). */
  private keyOf(labels: Labels): string {
    let id = '';
    for (const name in labels) id += `${name}\u0000${labels[name]}\u0001`;
    let rendered = this.keys.get(id);
    if (rendered === undefined) {
      rendered = key(labels);
      if (this.keys.size < 100_000) this.keys.set(id, rendered);
    }
    return rendered;
  }

  inc(name: string, labels: Labels, by = 1): void {
    this.add(name, this.keyOf(labels), by);
  }

  private readonly invocationKeys = new Map<string, { counted: string; timed: string; failed: string }>();

  /**
   * One call through the gateway: counted by function, revision and status (and as an error from 500
   * on), and its latency observed by function. The same as {@link Metrics.inc} and
   * {@link Metrics.observe}, with each call's label texts looked up once rather than rendered.
   */
  invocation(fn: string, revision: string, status: number, seconds: number): void {
    const id = `${fn}\u0000${revision}\u0000${status}`;
    let keys = this.invocationKeys.get(id);
    if (keys === undefined) {
      keys = {
        counted: this.keyOf({ function: fn, revision, status: String(status) }),
        timed: this.keyOf({ function: fn }),
        failed: this.keyOf({ function: fn, revision }),
      };
      if (this.invocationKeys.size < 100_000) this.invocationKeys.set(id, keys);
    }
    this.add('faasport_invocations_total', keys.counted);
    if (status >= 500) this.add('faasport_invocation_errors_total', keys.failed);
    this.observeKey(keys.timed, seconds);
  }

  private add(name: string, key: string, by = 1): void {
    let series = this.counters.get(name);
    if (!series) {
      series = new Map();
      this.counters.set(name, series);
    }
    series.set(key, (series.get(key) ?? 0) + by);
  }

  observe(labels: Labels, seconds: number): void {
    this.observeKey(this.keyOf(labels), seconds);
  }

  private observeKey(k: string, seconds: number): void {
    let h = this.histograms.get(k);
    if (!h) {
      h = { counts: buckets.map(() => 0), sum: 0, count: 0 };
      this.histograms.set(k, h);
    }
    for (let i = 0; i < buckets.length; i++) if (seconds <= buckets[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }

  /** A gauge whose values are read at scrape time. */
  gauge(name: string, help: string, read: () => Array<{ labels: Labels; value: number }>): void {
    this.help[name] = help;
    this.gauges.set(name, read);
  }

  /** The Prometheus text exposition. */
  render(): string {
    const lines: string[] = [];
    for (const [name, series] of this.counters) {
      lines.push(`# HELP ${name} ${this.help[name] ?? name}`, `# TYPE ${name} counter`);
      for (const [labels, value] of series) lines.push(`${name}{${labels}} ${value}`);
    }
    const hist = 'faasport_invocation_duration_seconds';
    lines.push(`# HELP ${hist} ${this.help[hist]}`, `# TYPE ${hist} histogram`);
    for (const [labels, h] of this.histograms) {
      const sep = labels ? ',' : '';
      buckets.forEach((b, i) => {
        lines.push(`${hist}_bucket{${labels}${sep}le="${b}"} ${h.counts[i]}`);
      });
      lines.push(
        `${hist}_bucket{${labels}${sep}le="+Inf"} ${h.count}`,
        `${hist}_sum{${labels}} ${h.sum}`,
        `${hist}_count{${labels}} ${h.count}`,
      );
    }
    for (const [name, read] of this.gauges) {
      lines.push(`# HELP ${name} ${this.help[name]}`, `# TYPE ${name} gauge`);
      for (const { labels, value } of read()) lines.push(`${name}{${key(labels)}} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
