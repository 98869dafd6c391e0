/** Answers as values, the headers every answer carries, and reading what a request sends. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

const MAX_BODY_BYTES = 16 * 1024;

export interface Answer {
  status: number;
  body: string;
  /** HTML when not given. */
  contentType?: string;
  headers?: Record<string, string>;
}

/** The one place answers are written, so none can leave without the security headers. */
export function writeAnswer(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, {
    ...SECURITY_HEADERS,
    ...answer.headers,
    "Content-Type": answer.contentType ?? "text/html; charset=utf-8",
    "Content-Length": Buffer.byteLength(answer.body),
  });
  res.end(answer.body);
}

/** A request refused for what it is (path, method, body), not for what went wrong inside. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") throw new HttpError(415, "expected a form");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "form too large");
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
