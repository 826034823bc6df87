/**
 * `rollout-lab serve --policy P [--port N] [--host 127.0.0.1] [--state FILE] [--body-limit BYTES] [--token-file FILE]`:
 * runs the decision service (src/cli/serve/decisionService.ts) until SIGINT or SIGTERM. With a
 * token (`--token-file`, or the environment variable `ROLLOUT_LAB_TOKEN`), every write must carry
 * `Authorization: Bearer <token>` (docs/production.md, threat model).
 */
import { readFileSync } from 'node:fs';
import type { Policy } from '../../engine/policy/policy.ts';
import { numberOption, parseCommandArgs, stringOption, UsageError } from '../args.ts';
import { requirePolicyFile } from '../files.ts';
import type { CliIo, Command } from '../io.ts';
import { writeJson } from '../io.ts';
import type { DecisionService } from '../serve/decisionService.ts';
import { createDecisionService } from '../serve/decisionService.ts';

/** The checked options of `serve`. */
export interface ServeOptions {
  policy: Policy;
  port: number;
  host: string;
  stateFile?: string;
  bodyLimit: number;
  /** Required on every write when set. */
  token?: string;
}

/** The environment variable that holds the write token when `--token-file` is not given. */
export const tokenEnvironmentVariable = 'ROLLOUT_LAB_TOKEN';

/** Shortest token accepted: 16 characters (e.g. `openssl rand -hex 16` gives 32). */
export const minimumTokenLength = 16;

/**
 * The write token: the content of `tokenFile` (surrounding whitespace and the final newline
 * dropped), else `environment[ROLLOUT_LAB_TOKEN]`, else undefined. `UsageError` when the file
 * cannot be read or the token is shorter than 16 characters or holds whitespace.
 */
export function readToken(tokenFile: string | undefined, environment: Record<string, string | undefined>): string | undefined {
  let token: string | undefined;
  let source: string;
  if (tokenFile !== undefined) {
    source = `token file '${tokenFile}'`;
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`cannot read --token-file '${tokenFile}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else {
    source = tokenEnvironmentVariable;
    token = environment[tokenEnvironmentVariable]?.trim();
    if (token === undefined || environment[tokenEnvironmentVariable] === '') return undefined;
  }
  if (token.length < minimumTokenLength)
    throw new UsageError(`${source}: the token must be at least ${minimumTokenLength} characters, got ${token.length}`);
  if (/\s/.test(token)) throw new UsageError(`${source}: the token must not contain whitespace`);
  return token;
}

/** Parses `serve`'s arguments (UsageError on a bad one). */
export function parseServeArgs(
  argv: string[],
  environment: Record<string, string | undefined> = process.env,
): ServeOptions & { json: boolean } {
  const args = parseCommandArgs(argv, {
    policy: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    state: { type: 'string' },
    'body-limit': { type: 'string' },
    'token-file': { type: 'string' },
  });
  const policy = requirePolicyFile(stringOption(args, 'policy'));
  const port = numberOption(args, 'port', { default: 8080, min: 0, max: 65535, integer: true });
  const host = stringOption(args, 'host', '127.0.0.1');
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(host)) throw new UsageError(`--host must be a host name or IP address, got '${host}'`);
  const bodyLimit = numberOption(args, 'body-limit', { default: 1 << 20, min: 1024, max: 1 << 30, integer: true });
  const state = args.values.state as string | undefined;
  if (state !== undefined && state.trim() === '') throw new UsageError('--state must be a file path');
  const token = readToken(args.values['token-file'] as string | undefined, environment);
  return { policy, port, host, stateFile: state, bodyLimit, token, json: args.values.json === true };
}

/** Starts a decision service with checked options; resolves once it listens. */
export async function startServe(options: ServeOptions): Promise<{ service: DecisionService; url: string }> {
  let service: DecisionService;
  try {
    service = createDecisionService({
      policy: options.policy,
      stateFile: options.stateFile,
      bodyLimit: options.bodyLimit,
      token: options.token,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let address;
  try {
    address = await service.listen(options.port, options.host);
  } catch (error) {
    throw new UsageError(
      `cannot listen on ${options.host}:${options.port}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { service, url: `http://${host}:${address.port}` };
}

/** `rollout-lab serve`. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the decision service: POST metric windows, get decisions; state persisted, usable as an Argo web metric',
  usage:
    'serve --policy POLICY.json [--port 8080] [--host 127.0.0.1] [--state STATE.json] [--body-limit BYTES] [--token-file FILE] [--json]  (or the token in ROLLOUT_LAB_TOKEN)',
  async run(argv: string[], io: CliIo): Promise<number> {
    const options = parseServeArgs(argv);
    const { service, url } = await startServe(options);
    if (options.json) writeJson(io, { listening: url, state: options.stateFile ?? null, token: options.token !== undefined });
    else {
      io.stdout.write(
        `rollout-lab serve: listening on ${url}${options.stateFile ? `, state in ${options.stateFile}` : ' (state in memory only: use --state FILE to survive restarts)'}\n`,
      );
      io.stdout.write(
        options.token !== undefined
          ? 'rollout-lab serve: writes need the bearer token; reads are open\n'
          : `rollout-lab serve: writes need no token (set one with --token-file or ${tokenEnvironmentVariable} on a shared host)\n`,
      );
    }
    await new Promise<void>((resolvePromise) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolvePromise();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await service.close();
    if (!options.json) io.stdout.write('rollout-lab serve: stopped\n');
    return 0;
  },
};
