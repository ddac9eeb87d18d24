import * as http from 'node:http';
import { PssError } from '../../pss/pss-error.js';
import { scopeOf, scopeOptions, TIME_HELP, timeOptions } from '../capture-scope.js';
import { defineCommand, status, withRecordingFile } from '../context.js';
import { wrapHelp } from '../help-text.js';
import { writeFileAtomically } from '../write-file.js';

/** The content type of the Prometheus text exposition format. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** `HOST:PORT` (or `[v6]:PORT`, or `:PORT` for every address), checked. */
function parseListen(text: string): { host: string | undefined; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port > 65535) {
    throw new PssError('ERROR_INVALID_PARAMETER', `invalid --listen '${text}': give HOST:PORT, e.g. 127.0.0.1:9464 (port 0: any free one)`, { option: 'listen' });
  }
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}

export const metricsCommand = defineCommand({
  command: 'metrics',
  describe: 'the latest capture of each recorded process as Prometheus metrics (for node_exporter or a scrape)',
  builder: (yargs) =>
    timeOptions(scopeOptions(yargs, 'only the processes'), 'only processes whose latest capture was')
      .option('output', { alias: 'o', type: 'string', describe: "write the metrics to this file, atomically (node_exporter's textfile collector reads *.prom)", requiresArg: true })
      .option('listen', { type: 'string', describe: 'serve the metrics over HTTP at HOST:PORT, /metrics (127.0.0.1:9464)', requiresArg: true })
      .example('$0 metrics', 'print them')
      .example('$0 metrics --since 10m -o /var/lib/prometheus/node-exporter/pssql.prom', 'for the textfile collector, e.g. from cron beside pssql record')
      .example('$0 metrics --listen 127.0.0.1:9464', 'for Prometheus to scrape')
      .epilog(
        wrapHelp(
          [
            'Metrics (gauges unless said): pssql_process_handles{type}, pssql_process_threads, pssql_process_regions, pssql_process_working_set_bytes, pssql_process_private_bytes, ' +
              'pssql_process_virtual_bytes, pssql_process_cpu_seconds_total{mode} (counter), pssql_process_start_time_seconds, pssql_capture_timestamp_seconds, ' +
              'pssql_capture_duration_seconds, pssql_capture_cpu_seconds, pssql_capture_skipped_entries, pssql_capture_denied_fields; each labelled host, pid and name. ' +
              'No label names a file, so the series grow with the processes, not with their files. --since drops processes that are no longer captured.',
            TIME_HELP,
          ].join('\n'),
        ),
      ),
  handler: async (args) => {
    if (args.output !== undefined && args.listen !== undefined) {
      throw new PssError('ERROR_INVALID_PARAMETER', 'give --output or --listen, not both', { option: 'listen' });
    }
    const listen = args.listen === undefined ? undefined : parseListen(args.listen);
    const scope = await scopeOf(args);
    const { prometheusMetrics } = await import('../../analysis/metrics.js');
    if (listen === undefined) {
      const text = await withRecordingFile(args, { readonly: true }, (store) => prometheusMetrics(store, scope));
      if (args.output === undefined) process.stdout.write(text);
      // The collector runs as another user: the file is readable by all, as metrics are meant to be.
      else writeFileAtomically(args.output, text, 0o644);
      return;
    }
    await withRecordingFile(args, { readonly: true }, async (store) => {
      // Each scrape reads the recording anew: a recorder writing into it meanwhile is seen at once.
      const server = http.createServer((request, response) => {
        const url = new URL(request.url ?? '/', 'http://pssql');
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          response.writeHead(405, { Allow: 'GET, HEAD' }).end();
          return;
        }
        if (url.pathname !== '/metrics') {
          response.writeHead(url.pathname === '/' ? 200 : 404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('pssql: the metrics are at /metrics\n');
          return;
        }
        let body: string;
        try {
          body = prometheusMetrics(store, scope);
        } catch (error) {
          response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`pssql: ${(error as Error).message}\n`);
          return;
        }
        response.writeHead(200, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) }).end(request.method === 'HEAD' ? undefined : body);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) =>
          reject(
            new PssError(error.code === 'EACCES' ? 'ERROR_ACCESS_DENIED' : 'ERROR_INVALID_PARAMETER', `cannot listen on ${args.listen}: ${error.message}`, {
              option: 'listen',
            }),
          ),
        );
        server.listen(listen.port, listen.host, resolve);
      });
      const address = server.address();
      const where = typeof address === 'object' && address !== null ? `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : String(address);
      // Said even when stderr is not a terminal (unless --quiet): with port 0, it is how the port is known.
      if (!args.quiet) process.stderr.write(`pssql: serving metrics of ${args.db} at http://${where}/metrics (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          status(args, 'pssql: stopping');
          server.close(() => resolve());
          server.closeAllConnections();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
  },
  formats: [],
});
