"""The generic Python worker of the faasport executor.

It starts without function code, waits for a `load` message (code folder, handler, contract,
environment) on file descriptor 3, then serves calls. Messages are JSON lines; bytes travel as base64.
One process runs one function instance; the parent kills it on timeout.

Contracts: `web` (handler(request, ctx) -> str | bytes | dict | list | None | (body, status[, headers])),
`event` (handler(cloud_event_dict, ctx)), `fc-event` (handler(event_bytes, context)), `fc3-event`
(handler(event_bytes, context); HTTP calls as FC 3.0's HTTP event), `fg-event` (handler(event_dict, context))
and `lambda` (AWS Lambda's handler(event_dict, context); an HTTP call arrives as a function URL event). The
list of contracts is contracts/contracts.json, shared with
the Node worker and the TypeScript type `ExecutionContract`: HOSTS below must host exactly those that
name the "python" worker, or the worker refuses to start.
"""

import asyncio
import base64
import contextvars
import datetime
import difflib
import importlib.util
import inspect
import io
import json
import os
import sys
import threading
import time
import traceback
import urllib.parse

CHANNEL_FD = 3
_write_lock = threading.Lock()
_out = None  # the channel to the executor, opened by main()
_current = contextvars.ContextVar("faasport_call", default=None)
_fn = {}


def send(message):
    data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
    with _write_lock:
        _out.write(data)


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def emit_log(level, text):
    call = _current.get()
    if call is not None:
        call["logs"].append(text)
    send({"t": "log", "level": level, "message": text, "rid": call["rid"] if call else None, "time": now_iso()})


class _LogStream(io.TextIOBase):
    """Turns print() output into log lines that carry the request id of the call that wrote them."""

    def __init__(self, level):
        self.level = level
        self.buffer_text = ""

    def write(self, text):
        self.buffer_text += text
        while "\n" in self.buffer_text:
            line, self.buffer_text = self.buffer_text.split("\n", 1)
            emit_log(self.level, line)
        return len(text)

    def flush(self):
        if self.buffer_text:
            emit_log(self.level, self.buffer_text)
            self.buffer_text = ""


class Logger:
    def _log(self, level, message, fields=None):
        emit_log(level, message if not fields else f"{message} {json.dumps(fields, default=str)}")

    def debug(self, message, fields=None):
        self._log("debug", message, fields)

    def info(self, message, fields=None):
        self._log("info", message, fields)

    def warn(self, message, fields=None):
        self._log("warn", message, fields)

    warning = warn

    def error(self, message, fields=None):
        self._log("error", message, fields)


class Request:
    """The request a `web` handler receives."""

    def __init__(self, message):
        self.method = message.get("method", "GET")
        self.url = message["url"]
        parsed = urllib.parse.urlsplit(self.url)
        self.path = parsed.path
        self.query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        self.headers = {}
        for key, value in message.get("headers", []):
            self.headers[key.lower()] = value
        self.body = base64.b64decode(message.get("body64") or "")

    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body or b"null")


class Context:
    """The portable handler context."""

    def __init__(self, message, raw):
        spec = _fn["spec"]
        self.request_id = message["rid"]
        self.function_name = spec["functionName"]
        self.revision = spec["revision"]
        self.target = spec["target"]
        self.deadline = message["deadline"]
        self.env = dict(spec["env"])
        self.log = Logger()
        self.raw = raw

    def remaining_ms(self):
        return max(0, self.deadline - int(time.time() * 1000))


class FcContext:
    """An Alibaba Cloud FC 2.0 Python context."""

    def __init__(self, message):
        spec = _fn["spec"]
        extra = message.get("context") or {}
        self.request_id = message["rid"]
        self.credentials = extra.get("credentials", {})
        self.function = {"name": spec["functionName"], "handler": spec.get("handler"), "memory": spec["memoryMb"],
                         "timeout": round(spec["timeoutMs"] / 1000), **extra.get("function", {})}
        self.service = {"name": "", "qualifier": "LATEST", "version_id": "", **extra.get("service", {})}
        self.region = extra.get("region", "local")
        self.account_id = extra.get("accountId", "")


class Fc3Context:
    """An Alibaba Cloud FC 3.0 Python context: no service; the function carries its version and qualifier
    (FC 3.0 "Context" for Python, https://www.alibabacloud.com/help/en/functioncompute/context-1)."""

    def __init__(self, message):
        spec = _fn["spec"]
        extra = message.get("context") or {}
        service = extra.get("service", {})
        self.request_id = message["rid"]
        self.credentials = extra.get("credentials", {})
        self.function = {"name": spec["functionName"], "handler": spec.get("handler"), "memory": spec["memoryMb"],
                         "timeout": round(spec["timeoutMs"] / 1000), "qualifier": service.get("qualifier", "LATEST"),
                         "version_id": service.get("versionId", ""), **extra.get("function", {})}
        self.region = extra.get("region", "local")
        self.account_id = extra.get("accountId", "")
        self.log_project = service.get("logProject", "")
        self.log_store = service.get("logStore", "")
        self.logger = Logger()


class FgContext:
    """A Huawei Cloud FunctionGraph Python context."""

    def __init__(self, message):
        self._message = message
        self._extra = message.get("context") or {}

    def getRequestID(self):
        return self._message["rid"]

    def getRemainingTimeInMilliSeconds(self):
        return max(0, self._message["deadline"] - int(time.time() * 1000))

    def getFunctionName(self):
        return _fn["spec"]["functionName"]

    def getVersion(self):
        return self._extra.get("version", _fn["spec"]["revision"])

    def getMemorySize(self):
        return _fn["spec"]["memoryMb"]

    def getRunningTimeInSeconds(self):
        return round(_fn["spec"]["timeoutMs"] / 1000)

    def getUserData(self, key, default=None):
        return _fn["spec"]["env"].get(key, default)

    def getProjectID(self):
        return self._extra.get("projectId", "")

    def getPackage(self):
        return self._extra.get("package", "default")

    def getLogger(self):
        return Logger()


class LambdaContext:
    """An AWS Lambda Python context (https://docs.aws.amazon.com/lambda/latest/dg/python-context.html)."""

    def __init__(self, message):
        spec = _fn["spec"]
        extra = message.get("context") or {}
        self._deadline = message["deadline"]
        self.aws_request_id = message["rid"]
        self.function_name = spec["functionName"]
        self.function_version = extra.get("functionVersion", spec["revision"])
        self.invoked_function_arn = extra.get(
            "invokedFunctionArn", f"arn:aws:lambda:local:000000000000:function:{spec['functionName']}")
        self.memory_limit_in_mb = str(spec["memoryMb"])
        self.log_group_name = f"/aws/lambda/{spec['functionName']}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline - int(time.time() * 1000))


# A sandboxed worker may write only its scratch folder: it stays the temp folder after the load.
SCRATCH = os.environ.get("FAASPORT_SCRATCH")


def load(spec):
    os.environ.clear()
    os.environ.update(spec.get("baseEnv", {}))
    os.environ.update(spec["env"])
    if SCRATCH:
        os.environ["TMPDIR"] = SCRATCH
    if spec.get("memoryMb"):
        try:
            import resource
            limit = (int(spec["memoryMb"]) + 512) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    code_dir = spec["codeDir"]
    os.chdir(code_dir)
    sys.path.insert(0, code_dir)
    handler = spec.get("handler") or "main.handler"
    module_name, export, module = load_module(code_dir, handler, "handler")
    fn = resolve_export(module, module_name, export, "handler", handler)
    _fn["spec"] = spec
    _fn["handler"] = fn
    if spec.get("initializer"):
        init_name, init_export, init_module = load_module(code_dir, spec["initializer"], "initializer")
        init = resolve_export(init_module, init_name, init_export, "initializer", spec["initializer"])
        message = {"rid": "init", "deadline": int(time.time() * 1000) + spec["timeoutMs"], "context": {}}
        init(HOSTS.get(spec["contract"], {}).get("init_context", FgContext)(message))


def load_module(code_dir, spec, field):
    """Imports the module of a `file.function` spec from the code folder: (module name, function name, module)."""
    module_name, _, export = spec.rpartition(".")
    if not module_name:
        raise ValueError(f'{field} "{spec}" must be "file.function"')
    file_path = os.path.realpath(os.path.join(code_dir, module_name.replace(".", os.sep) + ".py"))
    if not file_path.startswith(os.path.realpath(code_dir) + os.sep):
        raise ValueError(f'{field} file "{module_name}" is outside the code folder')
    if not os.path.isfile(file_path):
        raise FileNotFoundError(f'{field} file "{module_name}.py" not found in the code')
    if module_name in sys.modules and getattr(sys.modules[module_name], "__file__", None) == file_path:
        return module_name, export, sys.modules[module_name]
    module_spec = importlib.util.spec_from_file_location(module_name, file_path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    module_spec.loader.exec_module(module)
    return module_name, export, module


class HandlerNotFound(Exception):
    """The handler (or initializer) names a function its module does not define."""


def resolve_export(module, module_name, name, field, spec):
    """The function `name` of the module, strictly: never another one. Errors list what the module has."""
    value = getattr(module, name, None)
    if value is None:
        names = sorted(key for key, item in vars(module).items()
                       if callable(item) and not inspect.isclass(item) and not key.startswith("_"))
        near = difflib.get_close_matches(name, names, n=1)
        hint = f'; did you mean "{module_name}.{near[0]}"?' if near else ""
        raise HandlerNotFound(f'{field} "{spec}": {module_name}.py has no function "{name}" '
                              f'(it defines: {", ".join(names) or "nothing"}){hint}')
    if not callable(value):
        raise HandlerNotFound(f'{field} "{spec}": {name} in {module_name}.py is a {type(value).__name__}, not a function')
    return value


def call(fn, *args):
    result = fn(*args)
    if inspect.isawaitable(result):
        result = asyncio.run(_await(result))
    return result


async def _await(awaitable):
    return await awaitable


def result_bytes(result):
    if result is None:
        return b""
    if isinstance(result, (bytes, bytearray)):
        return bytes(result)
    if isinstance(result, str):
        return result.encode()
    return json.dumps(result, default=str).encode()


def web_response(result):
    status, headers = 200, {}
    if isinstance(result, tuple):
        body = result[0]
        status = result[1] if len(result) > 1 else 200
        headers = dict(result[2]) if len(result) > 2 else {}
    elif hasattr(result, "status") and hasattr(result, "body"):
        body, status, headers = result.body, result.status, dict(getattr(result, "headers", {}) or {})
    else:
        body = result
    lower = {k.lower() for k in headers}
    if body is None:
        return {"status": 204 if status == 200 else status, "headers": list(headers.items()), "body64": None}
    if isinstance(body, str):
        if "content-type" not in lower:
            headers["content-type"] = "text/plain; charset=utf-8"
        data = body.encode()
    elif isinstance(body, (bytes, bytearray)):
        if "content-type" not in lower:
            headers["content-type"] = "application/octet-stream"
        data = bytes(body)
    else:
        if "content-type" not in lower:
            headers["content-type"] = "application/json"
        data = json.dumps(body, default=str).encode()
    return {"status": status, "headers": [[k, str(v)] for k, v in headers.items()], "body64": base64.b64encode(data).decode()}


def parse_json_or_text(data):
    if not data:
        return {}
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


def as_cloud_event(data, rid):
    value = parse_json_or_text(data)
    if isinstance(value, dict) and all(k in value for k in ("specversion", "id", "source", "type")):
        return value
    return {"specversion": "1.0", "id": rid, "source": "faasport:invoke", "type": "dev.faasport.invoke",
            "time": now_iso(), "datacontenttype": "application/json", "data": value}


def cloud_event_from_http(message):
    headers = {k.lower(): v for k, v in message.get("headers", [])}
    body = base64.b64decode(message.get("body64") or "")
    content_type = headers.get("content-type", "")
    if "ce-id" in headers and not content_type.startswith("application/cloudevents+json"):
        event = {"specversion": "1.0"}
        for key, value in headers.items():
            if key.startswith("ce-"):
                event[key[3:]] = value
        if content_type:
            event["datacontenttype"] = content_type
        if body:
            if "json" in content_type:
                event["data"] = parse_json_or_text(body)
            elif content_type == "" or content_type.startswith("text/"):
                event["data"] = body.decode("utf-8", "replace")
            else:
                event["data_base64"] = base64.b64encode(body).decode()
        return event
    return as_cloud_event(body, message["rid"])


def _web_http(handler, message):
    request = Request(message)
    return web_response(call(handler, request, Context(message, {"request": request})))


def _web_event(handler, message, payload):
    request = Request({**message, "method": "POST", "url": "http://localhost/",
                       "headers": [["content-type", "application/json"]], "body64": message.get("payload64")})
    reply = web_response(call(handler, request, Context(message, {"request": request})))
    return base64.b64decode(reply["body64"] or "")


def _event_http(handler, message):
    event = cloud_event_from_http(message)
    return web_response(call(handler, event, Context(message, {"event": event})))


def _event_event(handler, message, payload):
    return call(handler, as_cloud_event(payload, message["rid"]), Context(message, {}))


# --- trigger events in each cloud's own shape (the Node worker's contracts/shared.mjs, fc.mjs,
# functiongraph.mjs and lambda.mjs build the same; test/native-triggers.test.ts holds both to them) ---
# A native handler written for a cloud gets this runtime's schedule and bucket CloudEvents in the shape
# that cloud's own timer and object-storage triggers deliver; anything else reaches it as sent.

def native_trigger_event(payload, trigger_event):
    """The payload a native handler gets: a schedule or bucket CloudEvent of this runtime reshaped by
    `trigger_event(event, kind)` (`kind`: schedule, created or deleted); any other payload unchanged."""
    if not payload or payload[:1] != b"{":
        return payload
    try:
        event = json.loads(payload)
    except ValueError:
        return payload
    if not isinstance(event, dict) or event.get("specversion") != "1.0" or not isinstance(event.get("source"), str):
        return payload
    kind = {"dev.faasport.storage.object.created": "created",
            "dev.faasport.storage.object.deleted": "deleted"}.get(event.get("type"))
    if event["source"].startswith("/faasport/schedule/") and event.get("type") == "dev.faasport.schedule":
        kind = "schedule"
    if kind is None:
        return payload
    return json.dumps(trigger_event(event, kind), separators=(",", ":"), ensure_ascii=False).encode()


def _schedule_name(event):
    return next((part for part in reversed(event["source"].split("/")) if part), "timer")


def _payload_text(data):
    if data is None:
        return ""
    return data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _object_of(event):
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    key = data.get("key")
    return {"bucket": str(data.get("bucket") or ""),
            "key": str(key if key is not None else event.get("subject") or ""),
            "size": data.get("size") or 0, "etag": data.get("etag") or ""}


def _s3_record(event, kind, event_name):
    """An S3-style record, as Lambda and FunctionGraph's OBS trigger deliver (keys URL-encoded, spaces as +)."""
    obj = _object_of(event)
    key = urllib.parse.quote(obj["key"], safe="/-_.!~*'()").replace("%20", "+")
    described = {"key": key}
    if kind != "deleted":
        described.update({"size": obj["size"], "eTag": obj["etag"]})
    return {"eventVersion": "2.0", "eventSource": "aws:s3", "awsRegion": "local", "eventTime": event.get("time"),
            "eventName": event_name,
            "s3": {"s3SchemaVersion": "1.0",
                   "bucket": {"name": obj["bucket"], "arn": f"arn:aws:s3:::{obj['bucket']}"},
                   "object": described}}


def fc_trigger_event(event, kind):
    """FC's timer event and OSS notification, the same on FC 2.0 and 3.0."""
    if kind == "schedule":
        return {"triggerTime": event.get("time"), "triggerName": _schedule_name(event),
                "payload": _payload_text(event.get("data"))}
    obj = _object_of(event)
    return {"events": [{
        "eventName": "ObjectRemoved:DeleteObject" if kind == "deleted" else "ObjectCreated:PutObject",
        "eventSource": "acs:oss", "eventTime": event.get("time"), "eventVersion": "1.0", "region": "local",
        "oss": {"bucket": {"name": obj["bucket"], "arn": f"acs:oss:local::{obj['bucket']}"},
                "object": {"key": obj["key"], "size": obj["size"], "eTag": obj["etag"]},
                "ossSchemaVersion": "1.0"},
        "responseElements": {"requestId": event.get("id")},
    }]}


def fg_trigger_event(event, kind):
    """FunctionGraph's TIMER event and OBS notification."""
    if kind == "schedule":
        return {"version": "v1.0", "time": event.get("time"), "trigger_type": "TIMER",
                "trigger_name": _schedule_name(event), "user_event": _payload_text(event.get("data"))}
    return {"Records": [_s3_record(event, kind, "ObjectRemoved:Delete" if kind == "deleted" else "ObjectCreated:Put")]}


def lambda_trigger_event(event, kind):
    """An EventBridge scheduled event, or an S3 notification."""
    if kind == "schedule":
        return {"version": "0", "id": event.get("id"), "detail-type": "Scheduled Event", "source": "aws.events",
                "account": "000000000000", "time": event.get("time"), "region": "local",
                "resources": [f"arn:aws:events:local:000000000000:rule/{_schedule_name(event)}"], "detail": {}}
    return {"Records": [_s3_record(event, kind, "ObjectRemoved:Delete" if kind == "deleted" else "ObjectCreated:Put")]}


def _fc_event(handler, message, payload):
    return call(handler, native_trigger_event(payload, fc_trigger_event), FcContext(message))


# FC 3.0 passes these content types as text in its HTTP event; other bodies arrive base64-encoded.
_FC3_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
                   "application/x-www-form-urlencoded")


def fc3_http_event(message):
    """FC 3.0's HTTP event for a call (the Node worker's contracts/fc3.mjs builds the same)."""
    parsed = urllib.parse.urlsplit(message["url"])
    headers = {}
    for key, value in message.get("headers", []):
        if key.lower() in ("connection", "keep-alive"):
            continue
        name = "-".join(part[:1].upper() + part[1:] for part in key.lower().split("-"))
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    query = {}
    for key, value in urllib.parse.parse_qsl(parsed.query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    body = base64.b64decode(message.get("body64") or "")
    content_type = headers.get("Content-Type", "").lower()
    as_text = not body or content_type.startswith(_FC3_TEXT_TYPES) or "+json" in content_type or "+xml" in content_type
    now = time.time()
    host = parsed.hostname or "localhost"
    return {
        "version": "v1", "rawPath": parsed.path, "headers": headers, "queryParameters": query,
        "body": body.decode("utf-8", "replace") if as_text else base64.b64encode(body).decode(),
        "isBase64Encoded": not as_text,
        "requestContext": {
            "accountId": (message.get("context") or {}).get("accountId", ""), "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {"method": message.get("method", "GET"), "path": urllib.parse.unquote(parsed.path),
                     "protocol": "HTTP/1.1", "sourceIp": message.get("clientIp") or "127.0.0.1",
                     "userAgent": headers.get("User-Agent", "")},
            "requestId": message["rid"],
            "time": datetime.datetime.fromtimestamp(int(now), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timeEpoch": str(int(now * 1000)),
        },
    }


def _fc3_http(handler, message):
    """An HTTP call: a result that is (or encodes) a dict with an int `statusCode` is the response;
    anything else is the 200 body. An error answers 502 with FC's {errorMessage, errorType}."""
    event = json.dumps(fc3_http_event(message)).encode()
    try:
        data = result_bytes(call(handler, event, Fc3Context(message)))
    except Exception as error:  # noqa: BLE001 - the function's error is the caller's answer
        emit_log("error", "Unhandled error: " + "".join(traceback.format_exception(error)).rstrip())
        body = json.dumps({"errorMessage": str(error), "errorType": type(error).__name__}).encode()
        return {"status": 502, "headers": [["content-type", "application/json"],
                                           ["x-fc-error-type", "UnhandledInvocationError"]],
                "body64": base64.b64encode(body).decode()}
    try:
        result = json.loads(data) if data else None
    except ValueError:
        result = None
    if isinstance(result, dict) and isinstance(result.get("statusCode"), int):
        headers = []
        for name, value in (result.get("headers") or {}).items():
            for item in value if isinstance(value, list) else [value]:
                headers.append([name, str(item)])
        body = result.get("body")
        if body is None:
            out = b""
        elif isinstance(body, str):
            out = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        else:
            out = json.dumps(body).encode()
        return {"status": result["statusCode"], "headers": headers, "body64": base64.b64encode(out).decode()}
    return {"status": 200, "headers": [], "body64": base64.b64encode(data).decode()}


def _fc3_event(handler, message, payload):
    return call(handler, native_trigger_event(payload, fc_trigger_event), Fc3Context(message))


def _fg_event(handler, message, payload):
    return call(handler, parse_json_or_text(native_trigger_event(payload, fg_trigger_event)), FgContext(message))


def _lambda_event(handler, message, payload):
    payload = native_trigger_event(payload, lambda_trigger_event)
    return call(handler, json.loads(payload) if payload else {}, LambdaContext(message))


def _lambda_http(handler, message):
    """A function URL call: the payload format 2.0 event in, `{statusCode, headers, cookies, body,
    isBase64Encoded}` (or any other value, sent as JSON) out
    (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html)."""
    parsed = urllib.parse.urlsplit(message["url"])
    headers, cookies = {}, []
    for key, value in message.get("headers", []):
        name = key.lower()
        if name == "cookie":
            cookies.extend(part for part in value.split("; ") if part)
        else:
            headers[name] = f"{headers[name]},{value}" if name in headers else value
    query = {}
    for key, value in urllib.parse.parse_qsl(parsed.query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    body = message.get("body64") or ""
    now = int(time.time() * 1000)
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": parsed.path, "rawQueryString": parsed.query,
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous", "apiId": "local", "domainName": parsed.netloc,
            "http": {"method": message.get("method", "GET"), "path": parsed.path, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": headers.get("user-agent", "")},
            "requestId": message["rid"], "routeKey": "$default", "stage": "$default", "timeEpoch": now,
        },
        "isBase64Encoded": bool(body),
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if body:
        event["body"] = body
    result = call(handler, event, LambdaContext(message))
    if isinstance(result, dict) and isinstance(result.get("statusCode"), int):
        pairs = [[k, str(item)] for k, v in (result.get("headers") or {}).items()
                 for item in (v if isinstance(v, list) else [v])]
        pairs += [["set-cookie", str(c)] for c in result.get("cookies") or []]
        data = result.get("body")
        if data is None:
            raw = None
        elif isinstance(data, str):
            raw = base64.b64decode(data) if result.get("isBase64Encoded") else data.encode()
        else:
            raw = json.dumps(data, default=str).encode()
        return {"status": result["statusCode"], "headers": pairs,
                "body64": base64.b64encode(raw).decode() if raw is not None else None}
    if result is None:
        return {"status": 200, "headers": [], "body64": None}
    return {"status": 200, "headers": [["content-type", "application/json"]],
            "body64": base64.b64encode(json.dumps(result, default=str).encode()).decode()}


# The contracts this worker hosts: `http` serves a call over HTTP (a reply dict), `event` an event call
# (the handler's result); `init_context` is the context an initializer gets (FunctionGraph's by default).
HOSTS = {
    "web": {"http": _web_http, "event": _web_event},
    "event": {"http": _event_http, "event": _event_event},
    "fc-event": {"event": _fc_event, "init_context": FcContext},
    "fc3-event": {"http": _fc3_http, "event": _fc3_event, "init_context": Fc3Context},
    "fg-event": {"event": _fg_event},
    "lambda": {"http": _lambda_http, "event": _lambda_event, "init_context": LambdaContext},
}


def _registered_contracts():
    """The contracts contracts/contracts.json gives the Python worker."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "contracts", "contracts.json")
    with open(path, encoding="utf-8") as file:
        contracts = json.load(file)["contracts"]
    return sorted(name for name, entry in contracts.items() if "python" in entry["workers"])


if sorted(HOSTS) != _registered_contracts():
    raise RuntimeError(f"contracts.json lists {_registered_contracts()} for the Python worker, "
                       f"which hosts {sorted(HOSTS)}")


def serve(message):
    _current.set({"rid": message["rid"], "logs": []})
    call_state = _current.get()
    contract = _fn["spec"]["contract"]
    handler = _fn["handler"]
    host = HOSTS.get(contract, {})
    try:
        if message["t"] == "http":
            if "http" not in host:
                raise ValueError(f'contract "{contract}" does not take HTTP requests in the Python worker')
            send({"t": "res", "id": message["id"], **host["http"](handler, message)})
        else:
            if "event" not in host:
                raise ValueError(f'contract "{contract}" is not supported by the Python worker')
            payload = base64.b64decode(message.get("payload64") or "")
            result = host["event"](handler, message, payload)
            send({"t": "eres", "id": message["id"], "body64": base64.b64encode(result_bytes(result)).decode(),
                  "logs": call_state["logs"]})
    except BaseException as error:  # noqa: BLE001 - every handler failure is reported, never fatal
        emit_log("error", "Unhandled error: " + "".join(traceback.format_exception(error)).rstrip())
        info = {"message": str(error), "type": type(error).__name__}
        if message["t"] == "http":
            body = json.dumps({"error": {"code": "FunctionError", "type": info["type"], "message": info["message"]}})
            send({"t": "res", "id": message["id"], "status": 500, "headers": [["content-type", "application/json"]],
                  "body64": base64.b64encode(body.encode()).decode()})
        else:
            send({"t": "eres", "id": message["id"], "body64": "", "error": info, "logs": call_state["logs"]})


def main():
    global _out
    _out = os.fdopen(CHANNEL_FD, "wb", buffering=0, closefd=False)
    sys.stdout = _LogStream("info")
    sys.stderr = _LogStream("error")
    channel = os.fdopen(CHANNEL_FD, "rb", buffering=0, closefd=False)
    reader = io.BufferedReader(channel)
    send({"t": "ready"})
    for line in reader:
        if not line.strip():
            continue
        message = json.loads(line)
        kind = message.get("t")
        if kind == "load":
            try:
                load(message["spec"])
                send({"t": "loaded"})
            except BaseException as error:  # noqa: BLE001
                send({"t": "loadError", "error": {"message": str(error), "type": type(error).__name__,
                                                  "stack": "".join(traceback.format_exception(error))}})
        elif kind in ("http", "event"):
            threading.Thread(target=serve, args=(message,), daemon=True).start()
    os._exit(0)


if __name__ == "__main__":
    main()
