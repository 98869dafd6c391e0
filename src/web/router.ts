/**
 * The route table's shape and the dispatch through it. Whatever the table alone
 * decides is decided here, before any handler runs, so a handler never has to
 * check its method or its body's type and size: 404 for a path no route has, 405
 * (with the `Allow` the standard asks for) for a method its route lacks, 415 and
 * 413 for a form that is not one or too large.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { type Answer, HttpError, readForm } from "./http.js";

export interface RouteRequest {
  url: URL;
  /** The values of the route's `:name` segments, as sent (still percent-encoded). */
  params: Readonly<Record<string, string>>;
  headers: IncomingHttpHeaders;
}

type Reply = Answer | Promise<Answer>;
type Handler = (request: RouteRequest) => Reply;

/** A form endpoint gets its body only once it is known to be a form of acceptable size. */
export type Endpoint = Handler | { form: (request: RouteRequest, form: URLSearchParams) => Reply };

type Method = "GET" | "HEAD" | "POST";

/**
 * One route per path. `path` is literal segments and `:name` segments, each of which
 * matches one non-empty segment.
 */
export type Route =
  | { path: string; methods: Readonly<Partial<Record<Method, Endpoint>>> }
  | { path: string; anyMethod: Handler };

function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = pathname.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const value = got[i] ?? "";
    if (segment.startsWith(":")) {
      if (!value) return undefined;
      params[segment.slice(1)] = value;
    } else if (segment !== value) return undefined;
  }
  return params;
}

/** Answers through the table; a refusal is thrown as an HttpError, to be answered by the caller. */
export async function dispatch(routes: readonly Route[], req: IncomingMessage, url: URL): Promise<Answer> {
  for (const route of routes) {
    const params = matchPath(route.path, url.pathname);
    if (!params) continue;
    const request: RouteRequest = { url, params, headers: req.headers };
    if ("anyMethod" in route) return route.anyMethod(request);
    const method = req.method ?? "GET";
    const endpoint = Object.entries(route.methods).find(([m]) => m === method)?.[1];
    if (!endpoint) {
      throw new HttpError(405, "method not allowed", { Allow: Object.keys(route.methods).join(", ") });
    }
    return typeof endpoint === "function" ? endpoint(request) : endpoint.form(request, await readForm(req));
  }
  throw new HttpError(404, "not found");
}
