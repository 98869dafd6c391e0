/**
 * The bot's own HTTP servers: the public one (the one-time sign-in pages, the OAuth
 * callback, the health check and, unless it has its own port, /metrics; the routes are
 * in routes.ts) and the private metrics listener. node:http and plain HTML forms: no
 * scripts, no third-party assets, a CSP that forbids everything else.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";
import { type Answer, HttpError, writeAnswer } from "./http.js";
import { dispatch, type Route } from "./router.js";
import {
  FAILURE_ANSWER,
  type MetricsSource,
  metricsRoute,
  refusalAnswer,
  type WebDeps,
  webRoutes,
} from "./routes.js";

export type { HealthState, MetricsSource, PollerHealthView, WebDeps } from "./routes.js";

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The request target as a URL. node:http passes on any target its parser takes
 * (`http://[`, a port past 65535): one that is not a URL is the client's mistake.
 */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? "/", "http://localhost");
  } catch {
    throw new HttpError(400, "malformed request target");
  }
}

/**
 * The member closed the tab (or lost the network) while the request was still being
 * read: there is no one to answer and nothing went wrong on our side.
 */
function clientWentAway(req: IncomingMessage, err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return req.socket.destroyed && (code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE");
}

export function startWebServer(deps: WebDeps, listen: { host: string; port: number }): Promise<WebServer> {
  return serve(webRoutes(deps), listen, deps.log.child({ component: "web" }), {
    refusal: refusalAnswer,
    failure: FAILURE_ANSWER,
  });
}

/** /metrics alone, for a listener kept off the public address (METRICS_HOST:METRICS_PORT). */
export function startMetricsServer(
  metrics: MetricsSource,
  listen: { host: string; port: number },
  log: Logger,
): Promise<WebServer> {
  const text = (status: number, body: string): Answer => ({
    status,
    body: `${body}\n`,
    contentType: "text/plain; charset=utf-8",
  });
  return serve([metricsRoute(metrics)], listen, log.child({ component: "metrics" }), {
    refusal: (err) => ({ ...text(err.status, err.message), headers: err.headers }),
    failure: text(500, "could not collect the metrics"),
  });
}

function serve(
  routes: readonly Route[],
  listen: { host: string; port: number },
  log: Logger,
  answers: { refusal: (err: HttpError) => Answer; failure: Answer },
): Promise<WebServer> {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    writeAnswer(res, await dispatch(routes, req, requestUrl(req)));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (!res.headersSent) writeAnswer(res, answers.refusal(err));
        return;
      }
      if (clientWentAway(req, err)) {
        log.debug({ method: req.method }, "web request abandoned: the browser closed the connection");
        res.destroy();
        return;
      }
      // Never the URL: it carries the link token.
      log.error({ err, method: req.method }, "web request failed");
      if (!res.headersSent) writeAnswer(res, answers.failure);
      else res.destroy();
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      log.info({ host: address.address, port: address.port }, "web server listening");
      resolve({
        url: `http://${host}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
