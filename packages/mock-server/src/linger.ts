import type { IncomingMessage } from "node:http";

/**
 * How long and how much of a body the sandbox goes on reading after it answered before the body
 * was read (a 413, a 507, a refused credential), like nginx's `lingering_close`.
 */
export const LINGER = Object.freeze({
  /** The rest of the body is read and dropped for at most this long after the answer. */
  ms: 5_000,
  /** …and at most this many bytes of it. */
  bytes: 16 * 1024 * 1024,
});

/**
 * Reads and drops what is left of a request body once its answer is sent, so a client still
 * writing can read the answer. Closing at once would make the sandbox's TCP stack reset the
 * connection when the client's next bytes arrive, and a reset can discard the answer before the
 * client reads it (RFC 9112 §9.6). When the whole body arrives within the bounds, the connection
 * stays open for the next request; past either bound the sandbox half-closes its side (the client
 * still reads the answer and then the end), and closes the connection when the time is up.
 */
export function discardRest(request: IncomingMessage, limits: { ms: number; bytes: number } = LINGER): void {
  if (request.complete) return;
  const socket = request.socket;
  let read = 0;
  const stop = (): void => {
    clearTimeout(timer);
    request.off("data", onData);
    request.off("end", stop);
    socket.off("close", stop);
  };
  const onData = (chunk: Buffer): void => {
    read += chunk.length;
    if (read > limits.bytes && !socket.writableEnded) socket.end();
  };
  const timer = setTimeout(() => {
    stop();
    socket.destroy();
  }, limits.ms);
  timer.unref();
  request.on("data", onData);
  request.once("end", stop);
  socket.once("close", stop);
  request.resume();
}
