export { type DefinedHandler, defineHandler } from './define-handler';
export {
  cloudEventFromRequest,
  cloudEventToBinary,
  createCloudEvent,
  eventResultToBytes,
  fromBase64,
  toBase64,
  toResponse,
} from './normalize';
export type { CloudEvent, Context, EventHandler, HandlerLogger, WebHandler, WebResult } from './types';
export { eventTypes } from './types';
