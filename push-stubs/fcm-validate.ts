/**
 * The FCM stub's checks of a `messages:send` body, answered with FCM v1's google.rpc errors
 * (`{error: {code, status, message, details}}`, details carrying a BadRequest's field violations
 * and the FcmError `errorCode`). Pure: parsed JSON in, the message or the error body out.
 */

/** FCM's limit on a message's data and notification payload. */
export const FCM_MAX_PAYLOAD_BYTES = 4096;
/** Android's longest ttl: 28 days. */
const MAX_TTL_S = 28 * 24 * 3600;
const DURATION = /^\d+(\.\d{1,9})?s$/;
const REGISTRATION_TOKEN = /^[A-Za-z0-9_:-]{1,4096}$/;
const MESSAGE_FIELDS = new Set([
  'name',
  'data',
  'notification',
  'android',
  'webpush',
  'apns',
  'fcm_options',
  'token',
  'topic',
  'condition',
]);

export interface FieldViolation {
  field: string;
  description: string;
}

export interface RpcErrorBody {
  error: { code: number; status: string; message: string; details: Record<string, unknown>[] };
}

export function rpcError(
  code: number,
  status: string,
  message: string,
  extra: { errorCode?: string; fieldViolations?: FieldViolation[] } = {},
): RpcErrorBody {
  const details: Record<string, unknown>[] = [];
  if (extra.errorCode !== undefined)
    details.push({ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: extra.errorCode });
  if (extra.fieldViolations !== undefined)
    details.push({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: extra.fieldViolations });
  return { error: { code, status, message, details } };
}

export interface FcmStubMessage {
  token?: string;
  topic?: string;
  condition?: string;
  data?: Record<string, string>;
  notification?: { title?: string; body?: string };
  android?: { collapse_key?: string; priority?: string; ttl?: string };
  apns?: { headers?: Record<string, string>; payload?: Record<string, unknown> };
}

export type FcmCheck = { ok: true; message: FcmStubMessage; validateOnly: boolean } | { ok: false; body: RpcErrorBody };

const invalid = (message: string, fieldViolations?: FieldViolation[]): FcmCheck => ({
  ok: false,
  body: rpcError(400, 'INVALID_ARGUMENT', message, {
    errorCode: 'INVALID_ARGUMENT',
    ...(fieldViolations === undefined ? {} : { fieldViolations }),
  }),
});

export function checkFcmSend(body: unknown): FcmCheck {
  const message = isObject(body) ? body['message'] : undefined;
  if (!isObject(message)) return invalid("Invalid JSON payload: 'message' is required");
  const unknown = Object.keys(message).find((key) => !MESSAGE_FIELDS.has(key));
  if (unknown !== undefined) return invalid(`Invalid JSON payload received. Unknown name "${unknown}" at 'message': Cannot find field.`);
  const targets = ['token', 'topic', 'condition'].filter((key) => message[key] !== undefined);
  if (targets.length !== 1) return invalid('Exactly one of token, topic or condition must be specified');
  if (message['token'] !== undefined && !(typeof message['token'] === 'string' && REGISTRATION_TOKEN.test(message['token']))) {
    return invalid('The registration token is not a valid FCM registration token', [
      { field: 'message.token', description: 'Invalid registration token' },
    ]);
  }
  const violations = [...dataViolations(message['data']), ...androidViolations(message['android'])];
  if (violations.length > 0) return invalid(violations[0]!.description, violations);
  const payloadBytes = Buffer.byteLength(JSON.stringify({ data: message['data'] ?? {}, notification: message['notification'] ?? {} }));
  if (payloadBytes > FCM_MAX_PAYLOAD_BYTES)
    return invalid(`Message is too big: ${payloadBytes} bytes of data and notification, at most ${FCM_MAX_PAYLOAD_BYTES}`);
  const validateOnly = isObject(body) && body['validate_only'] === true;
  return { ok: true, message, validateOnly };
}

/** `data` is a map<string, string>: FCM refuses numbers, booleans and objects. */
function dataViolations(data: unknown): FieldViolation[] {
  if (data === undefined) return [];
  if (!isObject(data)) return [{ field: 'message.data', description: "Invalid value at 'message.data' (map<string, string>)" }];
  return Object.values(data).flatMap((value, index) =>
    typeof value === 'string'
      ? []
      : [
          {
            field: `message.data[${index}].value`,
            description: `Invalid value at 'message.data[${index}].value' (TYPE_STRING), ${JSON.stringify(value)}`,
          },
        ],
  );
}

function androidViolations(android: unknown): FieldViolation[] {
  if (android === undefined) return [];
  if (!isObject(android)) return [{ field: 'message.android', description: "Invalid value at 'message.android'" }];
  const violations: FieldViolation[] = [];
  const { ttl, priority } = android;
  if (ttl !== undefined && !(typeof ttl === 'string' && DURATION.test(ttl) && parseFloat(ttl) <= MAX_TTL_S)) {
    violations.push({
      field: 'message.android.ttl',
      description: `Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), ${JSON.stringify(ttl)}`,
    });
  }
  if (priority !== undefined && !(typeof priority === 'string' && ['normal', 'high'].includes(priority.toLowerCase()))) {
    violations.push({
      field: 'message.android.priority',
      description: `Invalid value at 'message.android.priority' (TYPE_ENUM), ${JSON.stringify(priority)}`,
    });
  }
  return violations;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
