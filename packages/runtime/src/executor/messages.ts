/** The messages the executor and an instance exchange over their frame channel. */

/** A call sent to an instance. Bodies are bytes; the instance answers with an {@link HttpReply} or an {@link EventReply}. */
export type CallMessage =
  | {
      t: 'http';
      rid: string;
      method: string;
      url: string;
      headers: [string, string][];
      body?: Uint8Array;
      deadline: number;
      context?: Record<string, unknown>;
      clientIp?: string;
      extraHeaders?: Record<string, string>;
    }
  | {
      t: 'event';
      rid: string;
      payload: Uint8Array;
      deadline: number;
      context?: Record<string, unknown>;
      extraHeaders?: Record<string, string>;
    };

/** An HTTP answer from an instance. */
export interface HttpReply {
  t: 'res';
  /** How long the call ran in the instance (whole µs), when the instance says. */
  us?: number;
  status: number;
  headers: [string, string][];
  body: Uint8Array | null;
}

/** An event answer from an instance. */
export interface EventReply {
  t: 'eres';
  /** How long the call ran in the instance (whole µs), when the instance says. */
  us?: number;
  body: Uint8Array;
  error?: { message: string; type?: string; stack?: string };
  logs?: string[];
}
