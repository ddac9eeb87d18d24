"""The psutil peer of the pssql benchmark: what a user would write instead of pssql.

Reads the same kinds of data as one pssql capture, through psutil's public API, and writes
nothing. Timed inside the script, so the interpreter's start-up and psutil's import are not
counted. Prints one JSON line in the floor's format (counts, ns per kind per repetition).

    python3 psutil-peer.py [--kinds process,threads,fds,regions] [--repeat N] (PID | --all)

process  Process.as_dict() of the basic process information
threads  Process.threads()
fds      Process.open_files(), Process.connections() (net_connections() on psutil >= 6);
         with --all, psutil.net_connections() once instead of per process
regions  Process.memory_maps(grouped=False) (psutil reads /proc/PID/smaps for these)
"""
import argparse
import json
import resource
import sys
import time

import psutil

BASIC = ['pid', 'ppid', 'name', 'exe', 'cmdline', 'status', 'create_time', 'cpu_times',
         'memory_info', 'num_threads', 'num_fds', 'num_ctx_switches', 'nice', 'uids', 'gids']
GONE = (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess)


def connections(p):
    return p.net_connections('all') if hasattr(p, 'net_connections') else p.connections('all')


def capture(p, kinds, ns, counts):
    """One process: each selected kind, timed into ns; a process that vanishes is skipped."""
    try:
        if 'process' in kinds:
            t = time.perf_counter_ns()
            p.as_dict(attrs=BASIC)
            ns['process'] += time.perf_counter_ns() - t
            counts['processes'] += 1
        if 'threads' in kinds:
            t = time.perf_counter_ns()
            counts['threads'] += len(p.threads())
            ns['threads'] += time.perf_counter_ns() - t
        if 'fds' in kinds:
            t = time.perf_counter_ns()
            counts['files'] += len(p.open_files())
            if not ALL:
                counts['sockets'] += len(connections(p))
            ns['fds'] += time.perf_counter_ns() - t
        if 'regions' in kinds:
            t = time.perf_counter_ns()
            counts['regions'] += len(p.memory_maps(grouped=False))
            ns['regions'] += time.perf_counter_ns() - t
    except GONE:
        pass


def main():
    global ALL
    ap = argparse.ArgumentParser()
    ap.add_argument('pid', nargs='?', type=int)
    ap.add_argument('--all', action='store_true')
    ap.add_argument('--repeat', type=int, default=1)
    ap.add_argument('--kinds', default='process,threads,fds,regions')
    args = ap.parse_args()
    if not args.all and not args.pid:
        ap.error('a PID or --all is needed')
    ALL = args.all
    kinds = set(args.kinds.split(','))
    series = {k: [] for k in ['process', 'threads', 'fds', 'regions', 'total']}
    for _ in range(args.repeat):
        ns = dict.fromkeys(series, 0)
        counts = dict.fromkeys(['processes', 'threads', 'files', 'sockets', 'regions'], 0)
        start = time.perf_counter_ns()
        if ALL:
            # process_iter() lists /proc; it belongs to the process kind.
            t = time.perf_counter_ns()
            procs = list(psutil.process_iter())
            ns['process'] += time.perf_counter_ns() - t
            for p in procs:
                capture(p, kinds, ns, counts)
            if 'fds' in kinds:
                t = time.perf_counter_ns()
                counts['sockets'] += len(psutil.net_connections('all'))
                ns['fds'] += time.perf_counter_ns() - t
        else:
            capture(psutil.Process(args.pid), kinds, ns, counts)
        ns['total'] = time.perf_counter_ns() - start
        for k in series:
            series[k].append(ns[k])
    max_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump({'tool': 'psutil', 'version': psutil.__version__, 'pid': args.pid, 'all': ALL,
               'repeat': args.repeat, 'counts': counts, 'maxRssKb': max_rss_kb,
               'ns': {k: v for k, v in series.items() if k in kinds or k == 'total'}}, sys.stdout)
    print()


ALL = False
if __name__ == '__main__':
    main()
