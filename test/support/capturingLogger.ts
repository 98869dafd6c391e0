import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/log.js";

/** The app's real logger (redaction included) at trace level, writing into memory for a test to read. */
export function capturingLogger(): { log: Logger; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { log: createLogger({ level: "trace", destination }), text: () => lines.join("") };
}
