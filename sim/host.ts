/**
 * The address a URL names for a server listening on `host`. A server on every interface
 * (0.0.0.0, ::) has no address of its own to put in a link: the links name this machine's
 * loopback, which a browser on the same machine (or behind a forwarded port) reaches.
 */
export function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

export const DEFAULT_HOST = "127.0.0.1";
