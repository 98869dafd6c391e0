import type { IncomingMessage } from "node:http";

export interface UploadedFile {
  field: string;
  filename: string;
  size: number;
}

export interface ParsedBody {
  json: unknown;
  files: UploadedFile[];
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * JSON bodies as is; multipart (what discord.js sends when files are attached) by taking
 * `payload_json` as the body and noting each file part.
 */
export function parseBody(contentType: string | undefined, raw: Buffer): ParsedBody {
  if (raw.length === 0) return { json: undefined, files: [] };
  const type = contentType ?? "";
  if (type.startsWith("multipart/form-data")) return parseMultipart(type, raw);
  try {
    return { json: JSON.parse(raw.toString("utf8")), files: [] };
  } catch {
    return { json: undefined, files: [] };
  }
}

function parseMultipart(contentType: string, raw: Buffer): ParsedBody {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return { json: undefined, files: [] };
  const text = raw.toString("latin1");
  const files: UploadedFile[] = [];
  let json: unknown;
  for (const part of text.split(`--${boundary}`)) {
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd < 0) continue;
    const headers = part.slice(0, headerEnd);
    const content = part.slice(headerEnd + 4).replace(/\r\n$/, "");
    const field = /name="([^"]*)"/i.exec(headers)?.[1];
    if (!field) continue;
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    if (filename !== undefined) {
      files.push({ field, filename, size: Buffer.byteLength(content, "latin1") });
    } else if (field === "payload_json") {
      try {
        json = JSON.parse(Buffer.from(content, "latin1").toString("utf8"));
      } catch {
        json = undefined;
      }
    }
  }
  return { json, files };
}
