// A snapshot serialised once on the server and shared by every socket that asks for it. socket.io
// sends a binary attachment by reference, so a hundred acks of one snapshot hold one buffer (and
// pay for one JSON.stringify); the ack's own serverTime is stamped per answer.

/** JSON of a T as UTF-8 bytes (an ArrayBuffer in the browser), with the server time of the answer. */
export interface Encoded<T> {
  json: Uint8Array | ArrayBuffer;
  serverTime: number;
  /** Phantom: the type the bytes decode to. */
  readonly __of?: T;
}

// Both runtimes have these globals; shared/ is compiled without DOM or Node types.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };
declare const TextDecoder: new () => { decode(bytes: Uint8Array | ArrayBuffer): string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson<T>(value: T): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** The value of an Encoded answer with the answer's serverTime; throws on bytes that are not JSON. */
export function decodeEncoded<T extends { serverTime: number }>(e: Encoded<T>): T {
  if (!(e.json instanceof Uint8Array) && !(e.json instanceof ArrayBuffer))
    throw new TypeError('the answer carries no encoded snapshot');
  const value = JSON.parse(decoder.decode(e.json)) as T;
  return { ...value, serverTime: e.serverTime };
}
