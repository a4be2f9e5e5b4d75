"""Nimbus Python runtime bootstrap.

This program runs inside a function instance for the python3.9 ... python3.13
runtimes.  Nimbus starts it with the task root as working directory:

    /usr/bin/python3 -u /var/runtime/bootstrap.py

It loads the handler named by ``_HANDLER`` from ``LAMBDA_TASK_ROOT`` and then
serves invocations over the Lambda Runtime API (2018-06-01) found at
``AWS_LAMBDA_RUNTIME_API``: ``GET next`` -> ``handler(event, context)`` ->
``POST response`` or ``POST error``.  Failures while loading the handler are
reported once to ``POST init/error`` and the process exits.

Everything observable by function code (error documents, log line format,
context object, JSON encoding of results) follows the AWS Lambda Python
runtime; README.md beside this file lists the few places where Nimbus picks
one behaviour among several.  Standard library only.
"""

import sys

# Modules loaded before this file imported anything; see release_shadowed_modules.
_STARTUP_MODULES = frozenset(sys.modules)

# Every module imported here is loaded on each cold start, before the first
# invocation can be fetched, so the list is kept short: heavy modules
# (http.client alone pulls in email, ssl, urllib, calendar, ... for about
# 40 ms) are replaced by small pieces of code in this file.  Nor are stdlib
# modules imported later, on first use: by then the function's directories
# come first on sys.path, and a function module of the same name
# (datetime.py, say) would be loaded instead of the stdlib one.
import _socket  # the C module behind `socket`; see HttpConnection
import functools
import importlib
import json
import logging  # also loads traceback, re, threading, weakref
import math
import os
import re
import site
import time
import traceback

API_PREFIX = "/2018-06-01/runtime"
NEXT_PATH = API_PREFIX + "/invocation/next"

# Headers of GET /runtime/invocation/next.
H_REQUEST_ID = "Lambda-Runtime-Aws-Request-Id"
H_DEADLINE = "Lambda-Runtime-Deadline-Ms"
H_FUNCTION_ARN = "Lambda-Runtime-Invoked-Function-Arn"
H_TRACE_ID = "Lambda-Runtime-Trace-Id"
H_CLIENT_CONTEXT = "Lambda-Runtime-Client-Context"
H_COGNITO_IDENTITY = "Lambda-Runtime-Cognito-Identity"
H_TENANT_ID = "Lambda-Runtime-Aws-Tenant-Id"
# Headers this runtime sends on error reports.
H_ERROR_TYPE = "Lambda-Runtime-Function-Error-Type"
H_XRAY_CAUSE = "Lambda-Runtime-Function-XRay-Error-Cause"

# The X-Ray cause header is optional metadata; a large one is dropped rather
# than risk the Runtime API rejecting the whole error report.
XRAY_CAUSE_MAX_BYTES = 16 * 1024

TRACE_ENV = "_X_AMZN_TRACE_ID"

# Error types produced by the runtime itself.
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
MARSHAL_ERROR = "Runtime.MarshalError"
CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

# Text-format log lines written for unhandled errors: lines joined with CR so
# the whole report stays one record, leading spaces turned into NO-BREAK SPACE.
ERROR_REPORT_LINE_SEPARATOR = "\r"
ERROR_REPORT_INDENT = "\u00a0"


class RuntimeFault(Exception):
    """An error classified by the runtime (not an exception from user code)."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


class RuntimeApiError(Exception):
    """The Runtime API answered in a way that leaves this process no way on."""


# ---------------------------------------------------------------------------
# Per-invocation state shared with the logging filter.


class _InvocationState:
    request_id = None
    tenant_id = None


_STATE = _InvocationState()


# ---------------------------------------------------------------------------
# Output streams


class _AutoFlushStream:
    """Wraps a text stream and flushes after every write.

    Each line a function prints must be in the log pipe before the result is
    posted, whatever buffering the interpreter was started with.
    """

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        written = self._stream.write(text)
        self._stream.flush()
        return written

    def writelines(self, lines):
        self._stream.writelines(lines)
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _install_output_streams():
    """Makes stdout/stderr UTF-8 and self-flushing; returns the new stdout."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            continue
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8")
            except Exception:
                pass
        setattr(sys, name, _AutoFlushStream(stream))
    return sys.stdout


# ---------------------------------------------------------------------------
# JSON encoding of results and error documents


def _runtime_minor_version():
    """The 3.X minor version named by AWS_EXECUTION_ENV, or None."""
    match = re.fullmatch(r"AWS_Lambda_python3\.(\d+)", os.environ.get("AWS_EXECUTION_ENV", ""))
    return int(match.group(1)) if match else None


_SCALAR_TYPES = (str, int, float, bool, type(None))


def _is_decimal(obj):
    """isinstance(obj, decimal.Decimal), without loading decimal at start-up.

    decimal takes its Decimal class from the C module _decimal, or from
    _pydecimal where that is missing.  A Decimal can only exist once one of
    them has been loaded, so looking in sys.modules is enough, and functions
    that never use decimal do not pay for importing it.
    """
    module = sys.modules.get("_decimal") or sys.modules.get("_pydecimal")
    return module is not None and isinstance(obj, module.Decimal)


def _named_tuples_as_objects(value, open_containers):
    """Returns `value` with every named tuple replaced by a dict of its fields.

    Containers are copied only when something inside them changed.  A
    container met again while it is being walked is returned untouched, so
    the JSON encoder still reports the circular reference.
    """
    if type(value) in _SCALAR_TYPES:
        return value
    if isinstance(value, dict):
        key = id(value)
        if key in open_containers:
            return value
        open_containers.add(key)
        changed = None
        for name, item in value.items():
            new_item = _named_tuples_as_objects(item, open_containers)
            if new_item is not item:
                if changed is None:
                    changed = dict(value)
                changed[name] = new_item
        open_containers.discard(key)
        return value if changed is None else changed
    if isinstance(value, (list, tuple)):
        key = id(value)
        if key in open_containers:
            return value
        as_dict = getattr(value, "_asdict", None) if isinstance(value, tuple) else None
        if as_dict is not None and callable(as_dict):
            return _named_tuples_as_objects(as_dict(), open_containers)
        open_containers.add(key)
        items = None
        for index, item in enumerate(value):
            new_item = _named_tuples_as_objects(item, open_containers)
            if new_item is not item:
                if items is None:
                    items = list(value)
                items[index] = new_item
        open_containers.discard(key)
        return value if items is None else items
    return value


class JsonEncoder:
    """Encodes results the way the Lambda Python runtime does.

    Beyond plain ``json.dumps`` that means: ``decimal.Decimal`` is written as
    the bare number it holds (a NaN Decimal as ``NaN``), named tuples become
    objects, ``bytes`` inside a result are decoded as UTF-8 strings, and
    non-ASCII text is escaped for runtimes up to python3.11 but written as
    UTF-8 for python3.12 and later.
    """

    def __init__(self, ensure_ascii):
        self.ensure_ascii = ensure_ascii

    @classmethod
    def for_environment(cls):
        minor = _runtime_minor_version()
        return cls(ensure_ascii=not (minor is not None and minor >= 12))

    def encode(self, value):
        numbers = []
        marker = []  # lazily created random marker for Decimal placeholders

        def fallback(obj):
            if _is_decimal(obj):
                if obj.is_nan():
                    return math.nan
                if not marker:
                    marker.append(os.urandom(8).hex())
                numbers.append(str(obj))
                # A NUL is always escaped as \u0000 in the output, which
                # makes the placeholder easy to find again below.
                return "\x00%s:%d\x00" % (marker[0], len(numbers) - 1)
            if isinstance(obj, bytes):
                return obj.decode("utf-8")
            as_dict = getattr(obj, "_asdict", None)
            if as_dict is not None and callable(as_dict):
                return _named_tuples_as_objects(as_dict(), set())
            raise TypeError("Object of type %s is not JSON serializable" % obj.__class__.__name__)

        text = json.dumps(
            _named_tuples_as_objects(value, set()),
            ensure_ascii=self.ensure_ascii,
            default=fallback,
        )
        if numbers:
            placeholder = re.compile(r'"\\u0000%s:(\d+)\\u0000"' % marker[0])
            text = placeholder.sub(lambda m: numbers[int(m.group(1))], text)
        return text


# ---------------------------------------------------------------------------
# Context object


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(["
            f"cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}"
            "])"
        )


class Client:
    __slots__ = [
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    ]

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(["
            f"installation_id={self.installation_id},"
            f"app_title={self.app_title},"
            f"app_version_name={self.app_version_name},"
            f"app_version_code={self.app_version_code},"
            f"app_package_name={self.app_package_name}"
            "])"
        )


class ClientContext:
    __slots__ = ["custom", "env", "client"]

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(["
            f"custom={self.custom},env={self.env},client={self.client}"
            "])"
        )


def _slots_from_mapping(cls, mapping):
    """Builds `cls` with each slot taken from `mapping` (None when absent)."""
    if mapping is None:
        return None
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, mapping.get(name))
    return obj


_W3C_FIELDS = ("traceparent", "tracestate", "baggage")


class LambdaContext:
    """The `context` argument of a handler.

    ``memory_limit_in_mb`` is the string from AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    as in every Lambda Python runtime (python3.12+ included).
    """

    def __init__(self, request_id, client_context, cognito_identity, deadline_ms,
                 invoked_function_arn=None, tenant_id=None):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id

        # A "w3c" member of the client context is trace propagation data: it
        # is exposed through w3c() and removed from client_context.
        self._w3c = {}
        if isinstance(client_context, dict) and "w3c" in client_context:
            raw = client_context.pop("w3c")
            if isinstance(raw, dict):
                self._w3c = {k: raw[k] for k in _W3C_FIELDS if isinstance(raw.get(k), str)}

        self.client_context = _slots_from_mapping(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _slots_from_mapping(Client, self.client_context.client)

        self.identity = _slots_from_mapping(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")

        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def w3c(self):
        return dict(self._w3c)

    def log(self, msg):
        for handler in logging.getLogger().handlers:
            sink = getattr(handler, "log_sink", None)
            if sink is not None:
                sink.write_record(str(msg), terminate=False)
                return
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(["
            f"aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},"
            f"identity={self.identity},"
            f"tenant_id={self.tenant_id}"
            "])"
        )


def _parse_context_header(text, label):
    try:
        return json.loads(text)
    except Exception as exc:
        raise RuntimeFault(CONTEXT_UNMARSHAL_ERROR, "Unable to parse %s JSON: %s" % (label, exc))


def build_context(invocation):
    client_context = None
    if invocation.client_context:
        client_context = _parse_context_header(invocation.client_context, "Client Context")
    cognito_identity = None
    if invocation.cognito_identity:
        cognito_identity = _parse_context_header(invocation.cognito_identity, "Cognito Identity")
    return LambdaContext(
        invocation.request_id,
        client_context,
        cognito_identity,
        invocation.deadline_ms,
        invocation.function_arn,
        invocation.tenant_id,
    )


# ---------------------------------------------------------------------------
# Logging


class StdoutLogSink:
    """Writes log records to stdout, one line per record.

    The platform cuts the log pipe into records at "\\n", so newlines inside a
    record are written as "\\r" (the convention the runtime also uses for
    error reports) and the record itself ends with a single "\\n".
    """

    def __init__(self, stream):
        self._stream = stream

    def write_record(self, text, terminate=True):
        ends_with_newline = text.endswith("\n")
        if ends_with_newline:
            text = text[:-1]
        text = text.replace("\n", "\r")
        if terminate or ends_with_newline:
            text += "\n"
        self._stream.write(text)

    def write_error_report(self, lines):
        self._stream.write(ERROR_REPORT_LINE_SEPARATOR.join(lines) + "\n")


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _STATE.request_id or ""
        record.tenant_id = _STATE.tenant_id
        return True


class _SinkHandler(logging.Handler):
    def __init__(self, sink):
        super().__init__()
        self.log_sink = sink

    def emit(self, record):
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self.log_sink.write_record(text)


TEXT_LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
TEXT_LOG_DATEFMT = "%Y-%m-%dT%H:%M:%S"

# LogRecord attributes that are not copied into JSON log lines as extra keys.
_STANDARD_RECORD_FIELDS = frozenset({
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename",
    "module", "exc_info", "exc_text", "stack_info", "lineno", "funcName",
    "created", "msecs", "relativeCreated", "thread", "threadName",
    "processName", "process", "aws_request_id", "tenant_id", "_frame_type",
})


def _utc_millis(epoch_seconds):
    """UTC time with milliseconds: 2024-01-31T12:00:00.123Z.

    The same text as datetime.fromtimestamp(t, timezone.utc) formatted with
    "%Y-%m-%dT%H:%M:%S.%f" and cut to milliseconds, but without importing
    datetime: like datetime, the fraction is first rounded (half to even) to
    whole microseconds, then the microseconds are cut to milliseconds.
    """
    fraction, whole = math.modf(epoch_seconds)
    micros = round(fraction * 1e6)
    if micros >= 1000000:
        whole += 1
        micros -= 1000000
    elif micros < 0:
        whole -= 1
        micros += 1000000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + ".%03dZ" % (micros // 1000)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per record, used when AWS_LAMBDA_LOG_FORMAT=JSON."""

    def format(self, record):
        level = min(50, max(0, record.levelno)) // 10 * 10
        exc_info = record.exc_info
        if not exc_info or exc_info[0] is None:
            exc_info = None
        doc = {
            "timestamp": _utc_millis(record.created),
            "level": logging.getLevelName(level),
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc_info[2]) if exc_info else None,
            "errorType": exc_info[0].__name__ if exc_info else None,
            "errorMessage": str(exc_info[1]) if exc_info else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": ("%s:%s:%s" % (record.pathname, record.funcName, record.lineno)
                         if exc_info else None),
        }
        if getattr(record, "tenant_id", None) is not None:
            doc["tenantId"] = record.tenant_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD_RECORD_FIELDS and key not in doc:
                doc[key] = value
        doc = {k: v for k, v in doc.items() if v is not None}
        return json.dumps(doc, ensure_ascii=False) + "\n"


def json_log_format_enabled():
    return (os.environ.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"


def _configured_log_level():
    """Level name from AWS_LAMBDA_LOG_LEVEL (TRACE means DEBUG), or None."""
    raw = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if not raw:
        return None
    name = "DEBUG" if raw.upper() == "TRACE" else raw.upper()
    known = getattr(logging, "getLevelNamesMapping", lambda: logging._nameToLevel)()
    return name if name in known else None


def configure_logging(sink):
    """Installs the runtime's handler on the root logger.

    The root level is left at Python's default (WARNING) unless
    AWS_LAMBDA_LOG_LEVEL names a level.  Because the root logger now has a
    handler, a later logging.basicConfig() in function code does nothing.
    """
    logging.Formatter.converter = time.gmtime
    handler = _SinkHandler(sink)
    if json_log_format_enabled():
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_LOG_FORMAT, TEXT_LOG_DATEFMT))
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    level = _configured_log_level()
    if level:
        root.setLevel(level)
    root.addHandler(handler)


def _leading_spaces_to_nbsp(line):
    stripped = line.lstrip(" ")
    return ERROR_REPORT_INDENT * (len(line) - len(stripped)) + stripped


def log_error_report(sink, error_doc, encoder):
    """Logs an unhandled error the way the Lambda Python runtime does."""
    if json_log_format_enabled():
        doc = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time())),
            "level": "ERROR",
        }
        doc.update(error_doc)
        sink.write_error_report([encoder.encode(doc)])
        return
    headline = "[ERROR]"
    if error_doc.get("errorType"):
        headline += " " + error_doc["errorType"]
    if error_doc.get("errorMessage"):
        if error_doc.get("errorType"):
            headline += ":"
        headline += " " + error_doc["errorMessage"]
    lines = [headline]
    stack = error_doc.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for entry in stack:
            if entry == "":
                lines.append("")
                continue
            lines.extend(_leading_spaces_to_nbsp(part) for part in entry.splitlines())
    sink.write_error_report(lines)


# ---------------------------------------------------------------------------
# Error documents


def error_document(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _safe_str(value):
    try:
        return str(value)
    except Exception:
        return "<unprintable %s object>" % type(value).__name__


def _user_frames(tb):
    """Traceback entries without the leading frames of this file."""
    frames = traceback.extract_tb(tb)
    for index, frame in enumerate(frames):
        if "/bootstrap.py" not in frame.filename:
            return frames[index:]
    return frames


def _xray_cause(error_type, message, frames):
    stack = [{"label": f.name, "path": f.filename, "line": f.lineno} for f in frames]
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory can vanish; the error report must not
        cwd = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
    return {
        "working_directory": cwd,
        "exceptions": [{"message": message, "type": error_type, "stack": stack}],
        "paths": list(dict.fromkeys(f.filename for f in frames)),
    }


def describe_exception(exc, request_id=None):
    """(error document, X-Ray cause) for an exception from user code."""
    if isinstance(exc, RuntimeFault):
        doc = error_document(exc.message, exc.error_type, exc.trace, request_id)
        return doc, _xray_cause("LambdaValidationError", exc.message, [])
    frames = _user_frames(exc.__traceback__)
    message = _safe_str(exc)
    error_type = type(exc).__name__
    # Formatting plain tuples (not FrameSummary objects) keeps the entries to
    # the "File/line/in" line plus the source line, without caret markers.
    entries = traceback.format_list([(f.filename, f.lineno, f.name, f.line) for f in frames])
    doc = error_document(message, error_type, entries, request_id)
    return doc, _xray_cause(error_type, message, frames)


# ---------------------------------------------------------------------------
# Module search path and handler loading


def _pythonpath_set_by_user():
    """True when PYTHONPATH holds more than the runtime directory.

    Lambda leaves the /opt/python layer directories off sys.path when the
    function sets PYTHONPATH.  Nimbus may itself set PYTHONPATH to the runtime
    directory, which does not count as the function setting it.
    """
    value = os.environ.get("PYTHONPATH")
    if not value:
        return False
    runtime_dirs = {
        os.path.normpath(os.environ.get("LAMBDA_RUNTIME_DIR") or "/var/runtime"),
        os.path.normpath(os.path.dirname(os.path.abspath(__file__))),
    }
    entries = [os.path.normpath(p) for p in value.split(os.pathsep) if p]
    return any(entry not in runtime_dirs for entry in entries)


def layer_directories():
    """/opt/python directories searched for layer code, in search order."""
    versions = []
    minor = _runtime_minor_version()
    if minor is not None:
        versions.append("3.%d" % minor)
    own = "%d.%d" % sys.version_info[:2]
    if own not in versions:
        versions.append(own)
    dirs = ["/opt/python/lib/python%s/site-packages" % v for v in versions]
    dirs.append("/opt/python")
    return dirs


def configure_sys_path(task_root):
    """Puts the task root first, then the layer directories.

    The interpreter's own entries stay behind them, so Debian's dist-packages
    (where boto3 lives) remains importable while a function may bundle its own
    copy.  .pth files in these directories are processed as well.
    """
    front = [task_root]
    if not _pythonpath_set_by_user():
        front.extend(layer_directories())
    for directory in reversed(front):
        while directory in sys.path:
            sys.path.remove(directory)
        sys.path.insert(0, directory)
    for directory in front:
        site.addsitedir(directory)
    return front


def _module_names_in(directory):
    """Top-level module names that `directory` provides (files and regular packages)."""
    try:
        entries = os.listdir(directory)
    except OSError:
        return set()
    names = set()
    for entry in entries:
        path = os.path.join(directory, entry)
        if entry.endswith(".py") or (entry.endswith(".so") and os.path.isfile(path)):
            names.add(entry.split(".", 1)[0])
        elif os.path.isfile(os.path.join(path, "__init__.py")):
            names.add(entry)
    return names


# Modules whose identity the interpreter itself relies on; never released.
_INTERPRETER_STATE_MODULES = frozenset({"threading", "atexit", "copyreg", "weakref", "_weakrefset"})


def release_shadowed_modules(directories):
    """Forgets modules this runtime imported that the function's code shadows.

    The runtime imports json, logging (and through it traceback, re,
    threading, ...) before loading function code.  When the task root
    or a layer provides a module of the same name, function code must get its
    own module, as it would had the runtime imported nothing: such entries are
    dropped from sys.modules.  The runtime keeps working with the module
    objects it already holds.  Modules present at interpreter start-up stay.
    """
    loaded_here = {name.split(".", 1)[0] for name in sys.modules} - _STARTUP_MODULES
    provided = set()
    for directory in directories:
        provided |= _module_names_in(directory)
    keep = set(sys.builtin_module_names) | _INTERPRETER_STATE_MODULES
    for top in (loaded_here & provided) - keep:
        for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
            del sys.modules[name]


def load_handler(spec):
    """Imports the module named by `spec` ("module.function") and returns the function."""
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as exc:
        raise RuntimeFault(MALFORMED_HANDLER_NAME, "Bad handler '%s': %s" % (spec, exc))

    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise RuntimeFault(
                BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module %s as a handler module" % module_name,
            )
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise RuntimeFault(
            IMPORT_MODULE_ERROR, "Unable to import module '%s': %s" % (module_name, exc)
        )
    except SyntaxError as exc:
        trace = ['  File "%s" Line %s\n    %s' % (exc.filename, exc.lineno, exc.text)]
        raise RuntimeFault(
            USER_CODE_SYNTAX_ERROR,
            "Syntax error in module '%s': %s" % (module_name, exc),
            trace,
        )

    try:
        return getattr(module, function_name)
    except AttributeError:
        raise RuntimeFault(
            HANDLER_NOT_FOUND,
            "Handler '%s' missing on module '%s'" % (function_name, module_name),
        )


# ---------------------------------------------------------------------------
# Event decoding and result encoding


def decode_event(body, content_type):
    """JSON-decodes the event; other declared content types pass through as bytes.

    A missing Content-Type is taken as application/json, as is a JSON media
    type carrying parameters such as a charset.
    """
    media_type = (content_type or "application/json").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        return body
    try:
        return json.loads(body)
    except Exception as exc:
        raise RuntimeFault(UNMARSHAL_ERROR, "Unable to unmarshal input: %s" % exc)


def encode_result(result, encoder):
    """(body bytes, content type) for a handler's return value."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return encoder.encode(result).encode("utf-8"), "application/json"
    except Exception as exc:
        raise RuntimeFault(MARSHAL_ERROR, "Unable to marshal response: %s" % exc)


# ---------------------------------------------------------------------------
# HTTP/1.1 client
#
# The runtime talks to exactly one server, the Runtime API on a local
# address, one request at a time.  That needs much less than http.client,
# whose imports alone (email, ssl, urllib, calendar, ...) would cost every
# cold start about 40 ms.  This client is built on _socket, the C module
# behind `socket`: the few methods used here (connect, sendall, recv,
# recv_into) are the same, and the Python layer of `socket` (selectors and
# more, about 5 ms of imports) is not needed.

# Longest status or header line, and most header lines, accepted in one
# answer (the limits http.client uses).
MAX_HTTP_LINE = 65536
MAX_HTTP_HEADERS = 100
RECV_SIZE = 65536
# Request bodies up to this size are sent in the same write as the request
# head; larger ones are written separately rather than copied.
SMALL_BODY = 65536


class RuntimeApiClosed(ConnectionResetError):
    """The Runtime API closed the connection before sending any answer.

    This is what reusing a keep-alive connection the server has meanwhile
    closed looks like; as a ConnectionError it makes the request be retried
    on a new connection.
    """


class HttpHeaders:
    """Header fields of an answer, looked up by name in any letter case.

    Values are text decoded as ISO-8859-1, as http.client does.  When a
    field appears more than once, get() returns the first value.
    """

    def __init__(self):
        self._values = {}

    def add(self, name, value):
        self._values.setdefault(name.lower(), value)

    def get(self, name, default=None):
        return self._values.get(name.lower(), default)


def split_host_port(address):
    """(host, port) from "host:port", "[ipv6]:port" or "host" (port 80)."""
    host, port = address, 80
    colon = address.rfind(":")
    if colon > address.rfind("]"):
        host, digits = address[:colon], address[colon + 1:]
        if digits:
            if not (digits.isascii() and digits.isdigit()):
                raise RuntimeApiError("AWS_LAMBDA_RUNTIME_API has a bad port: %r" % address)
            port = int(digits)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, port


class HttpConnection:
    """One keep-alive HTTP/1.1 connection to `address` ("host:port").

    The connection is opened on first use and again on the next request
    after it was closed (by close(), an error, or a server that said it
    would close).  Sockets are blocking without a timeout, whatever
    socket.setdefaulttimeout() function code may call: `next` may wait for
    hours while the instance is idle or frozen.  Answers may be framed by
    Content-Length, by chunked transfer coding, or by the end of the
    connection.
    """

    def __init__(self, address):
        self.host, self.port = split_host_port(address)
        host = "[%s]" % self.host if ":" in self.host else self.host
        host = host if self.port == 80 else "%s:%d" % (host, self.port)
        try:
            self._host_header = host.encode("ascii")
        except UnicodeEncodeError:
            self._host_header = host.encode("idna")  # a non-ASCII host name
        self._sock = None
        self._buffer = bytearray()  # received bytes not consumed yet

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        del self._buffer[:]

    def request(self, method, path, body=None, headers=None):
        """Sends one request and reads its whole answer.

        Returns (status, HttpHeaders, body bytes).  Raises ConnectionError
        when the connection cannot be opened or breaks, and RuntimeApiError
        when the answer is not valid HTTP.  After any failure the connection
        is closed, so the next request starts on a new one.
        """
        if self._sock is None:
            self._sock = self._connect()
        try:
            self._send(method, path, body, headers or {})
            status, answer_headers, answer, keep_open = self._read_answer()
        except BaseException:
            self.close()
            raise
        if not keep_open:
            self.close()
        return status, answer_headers, answer

    def request_then_get(self, method, path, body, headers, get_path, get_headers):
        """Pipelining: sends a request and, in the same write, a GET of
        `get_path`, then reads both answers.

        Returns (first answer, second answer), each (status, HttpHeaders,
        body bytes).  The second is None when the GET must be sent again: the
        server closed the connection after the first answer (or said it
        would), or it broke before the GET was answered.  Failures before
        the first answer raise as request() does.
        """
        if self._sock is None:
            self._sock = self._connect()
        try:
            self._send(method, path, body, headers or {}, (get_path, get_headers or {}))
            status, answer_headers, answer, keep_open = self._read_answer()
        except BaseException:
            self.close()
            raise
        first = (status, answer_headers, answer)
        if not keep_open:
            self.close()
            return first, None
        try:
            status, answer_headers, answer, keep_open = self._read_answer()
        except ConnectionError:
            self.close()
            return first, None
        except BaseException:
            self.close()
            raise
        if not keep_open:
            self.close()
        return first, (status, answer_headers, answer)

    # -- connecting and sending

    def _connect(self):
        # The host goes to getaddrinfo as bytes: given text, it would load
        # the IDNA codec (about 5 ms) just to encode "127.0.0.1".
        try:
            host = self.host.encode("ascii")
        except UnicodeEncodeError:
            host = self.host
        # Like socket.create_connection: try each address in turn and, if
        # none works, raise the error of the first.
        first_error = None
        for family, kind, proto, _, sockaddr in _socket.getaddrinfo(
                host, self.port, 0, _socket.SOCK_STREAM):
            sock = None
            try:
                sock = _socket.socket(family, kind, proto)
                sock.settimeout(None)
                sock.connect(sockaddr)
            except OSError as exc:
                if sock is not None:
                    sock.close()
                if first_error is None:
                    first_error = exc
                continue
            try:
                # Requests are written whole; do not hold back the last
                # segment of one waiting for an acknowledgement.
                sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            except OSError:
                pass
            return sock
        if first_error is not None:
            raise first_error
        raise OSError("no address found for %r" % self.host)

    def _head(self, method, path, body, headers):
        head = bytearray(b"%s %s HTTP/1.1\r\nHost: %s\r\n"
                         % (method.encode("ascii"), path.encode("ascii"), self._host_header))
        for name, value in headers.items():
            # Text values are sent as ISO-8859-1 and bytes as they are, as
            # http.client does.  A line break would end the header early.
            if isinstance(value, str):
                value = value.encode("latin-1")
            if b"\r" in value or b"\n" in value:
                raise ValueError("Invalid header value %r" % value)
            head += b"%s: %s\r\n" % (name.encode("ascii"), value)
        if body is not None:
            head += b"Content-Length: %d\r\n" % len(body)
        head += b"\r\n"
        return head

    def _send(self, method, path, body, headers, then_get=None):
        """Sends a request; with `then_get` ((path, headers)), a GET right behind it."""
        head = self._head(method, path, body, headers)
        tail = self._head("GET", then_get[0], None, then_get[1]) if then_get else b""
        if body and len(body) > SMALL_BODY:
            self._sock.sendall(head)
            self._sock.sendall(body)
            if tail:
                self._sock.sendall(tail)
        else:
            self._sock.sendall(head + body + tail if body else head + tail)

    # -- reading the answer

    def _read_answer(self):
        """(status, headers, body, keep_open) of the answer to the request just sent."""
        while True:
            line = self._read_line()
            if line is None:
                raise RuntimeApiClosed("Runtime API closed the connection without answering")
            version, status = self._parse_status_line(line)
            headers = self._read_headers()
            # Interim answers (100 Continue and the like) precede the real one.
            if not 100 <= status < 200:
                break

        connection = (headers.get("Connection") or "").lower()
        if version == "HTTP/1.0":
            keep_open = "keep-alive" in connection or headers.get("Keep-Alive") is not None
        else:
            keep_open = "close" not in connection

        if status in (204, 304):
            return status, headers, b"", keep_open
        if (headers.get("Transfer-Encoding") or "").strip().lower() == "chunked":
            return status, headers, self._read_chunked(), keep_open
        length = self._content_length(headers)
        if length is not None:
            return status, headers, self._read_exact(length), keep_open
        # No framing given: the body runs to the end of the connection.
        return status, headers, self._read_to_end(), False

    @staticmethod
    def _parse_status_line(line):
        """("HTTP/1.1", 200) from b"HTTP/1.1 200 OK"."""
        parts = line.decode("latin-1").split(None, 2)
        if (len(parts) >= 2 and parts[0].startswith("HTTP/") and len(parts[1]) == 3
                and parts[1].isascii() and parts[1].isdigit()):
            return parts[0], int(parts[1])
        raise RuntimeApiError("Runtime API sent a bad status line: %r" % line[:200])

    def _read_headers(self):
        fields = []  # [name, value] in the order received
        while True:
            line = self._read_line()
            if line is None:
                raise self._cut_short()
            if not line:
                break
            if len(fields) >= MAX_HTTP_HEADERS:
                raise RuntimeApiError("Runtime API sent more than %d header lines" % MAX_HTTP_HEADERS)
            text = line.decode("latin-1")
            if text[0] in " \t":
                # An obsolete folded line continues the previous field.
                if fields:
                    fields[-1][1] += " " + text.strip(" \t")
                continue
            name, colon, value = text.partition(":")
            if colon:
                # Blanks before the value are dropped and those after it
                # kept, as in http.client.
                fields.append([name, value.lstrip(" \t")])
        headers = HttpHeaders()
        for name, value in fields:
            headers.add(name, value)
        return headers

    @staticmethod
    def _content_length(headers):
        """The Content-Length as a number, or None when missing or invalid (as http.client)."""
        try:
            length = int(headers.get("Content-Length"))
        except (TypeError, ValueError):
            return None
        return length if length >= 0 else None

    def _read_chunked(self):
        chunks = []
        while True:
            line = self._read_line()
            if line is None:
                raise self._cut_short()
            try:
                size = int(line.split(b";", 1)[0], 16)  # ";name=value" extensions ignored
            except ValueError:
                size = -1
            if size < 0:
                raise RuntimeApiError("Runtime API sent a bad chunk size: %r" % line[:200])
            if size == 0:
                break
            chunks.append(self._read_exact(size))
            if self._read_line() != b"":
                raise RuntimeApiError("Runtime API sent a chunk without its line end")
        # Trailer fields, which are not used, end with an empty line.
        while True:
            line = self._read_line()
            if line is None:
                raise self._cut_short()
            if not line:
                return b"".join(chunks)

    def _read_line(self):
        """The next line without its CRLF (or bare LF).

        None when the connection ends before any byte of a line; a
        connection that ends inside a line is an error.
        """
        searched = 0
        while True:
            end = self._buffer.find(b"\n", searched)
            if end >= 0:
                break
            if len(self._buffer) > MAX_HTTP_LINE:
                raise RuntimeApiError("Runtime API sent a line longer than %d bytes" % MAX_HTTP_LINE)
            searched = len(self._buffer)
            chunk = self._sock.recv(RECV_SIZE)
            if not chunk:
                if self._buffer:
                    raise self._cut_short()
                return None
            self._buffer += chunk
        line = bytes(self._buffer[:end])
        del self._buffer[:end + 1]
        return line[:-1] if line.endswith(b"\r") else line

    def _read_exact(self, size):
        """The next `size` bytes."""
        if len(self._buffer) >= size:
            data = bytes(self._buffer[:size])
            del self._buffer[:size]
            return data
        # Received straight into a buffer of the final size, so that a large
        # event is not assembled from many small pieces.
        data = bytearray(size)
        have = len(self._buffer)
        data[:have] = self._buffer
        del self._buffer[:]
        with memoryview(data) as view:
            while have < size:
                got = self._sock.recv_into(view[have:])
                if not got:
                    raise self._cut_short()
                have += got
        return bytes(data)

    def _read_to_end(self):
        chunks = [bytes(self._buffer)]
        del self._buffer[:]
        while True:
            chunk = self._sock.recv(RECV_SIZE)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    @staticmethod
    def _cut_short():
        # Part of an answer arrived, so the request did reach the server:
        # not a case for retrying it.
        return RuntimeApiError("Runtime API closed the connection in the middle of an answer")


# ---------------------------------------------------------------------------
# Runtime API client


class Invocation:
    def __init__(self, body, headers):
        self.body = body
        self.request_id = headers.get(H_REQUEST_ID)
        self.function_arn = headers.get(H_FUNCTION_ARN)
        self.trace_id = headers.get(H_TRACE_ID) or None
        self.client_context = headers.get(H_CLIENT_CONTEXT) or None
        self.cognito_identity = headers.get(H_COGNITO_IDENTITY) or None
        self.tenant_id = headers.get(H_TENANT_ID) or None
        self.content_type = headers.get("Content-Type") or None
        try:
            self.deadline_ms = int(headers.get(H_DEADLINE) or 0)
        except ValueError:
            self.deadline_ms = 0


# Bytes that urllib.parse.quote never escapes (RFC 3986 "unreserved").
_UNRESERVED_BYTES = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")


def quote_path_segment(text):
    """urllib.parse.quote(text, safe=""): UTF-8, then %XX for every other byte."""
    return "".join(chr(byte) if byte in _UNRESERVED_BYTES else "%%%02X" % byte
                   for byte in text.encode("utf-8"))


class RuntimeApiClient:
    """Talks to the Runtime API over one persistent HTTP/1.1 connection.

    No socket timeout is set: `next` may legitimately block for hours while
    the instance waits (or is frozen) between invocations.
    """

    USER_AGENT = "nimbus-python-runtime/%d.%d.%d" % sys.version_info[:3]

    def __init__(self, address):
        self.address = address
        self._connection = HttpConnection(address)

    def _exchange(self, method, path, body=None, headers=None):
        all_headers = {"User-Agent": self.USER_AGENT}
        all_headers.update(headers or {})
        # A keep-alive connection the server closed while it sat idle fails
        # on first use; one fresh connection is tried before giving up.
        for attempt in (1, 2):
            try:
                return self._connection.request(method, path, body, all_headers)
            except ConnectionError:
                self._connection.close()
                if attempt == 2:
                    raise

    def _exchange_then_next(self, method, path, body, headers):
        """_exchange, with GET next sent in the same write; returns both answers."""
        all_headers = {"User-Agent": self.USER_AGENT}
        all_headers.update(headers)
        next_headers = {"User-Agent": self.USER_AGENT}
        for attempt in (1, 2):
            try:
                first, second = self._connection.request_then_get(
                    method, path, body, all_headers, NEXT_PATH, next_headers)
                break
            except ConnectionError:
                self._connection.close()
                if attempt == 2:
                    raise
        if second is None:
            second = self._exchange("GET", NEXT_PATH)
        return first, second

    def next_invocation(self):
        return self._invocation_from(*self._exchange("GET", NEXT_PATH))

    @staticmethod
    def _invocation_from(status, headers, body):
        if status != 200:
            raise RuntimeApiError("GET next answered %d: %r" % (status, body[:512]))
        invocation = Invocation(body, headers)
        if not invocation.request_id:
            raise RuntimeApiError("GET next answered without %s" % H_REQUEST_ID)
        return invocation

    def _post_result(self, path, body, headers, then_next):
        """Posts a result; with `then_next`, also asks for (and returns) the next invocation."""
        if then_next:
            (status, _, answer), following = self._exchange_then_next("POST", path, body, headers)
        else:
            status, _, answer = self._exchange("POST", path, body=body, headers=headers)
        self._check_posted(path, status, answer)
        return self._invocation_from(*following) if then_next else None

    @staticmethod
    def _check_posted(path, status, answer):
        if status == 202:
            return
        if status in (400, 403, 413):
            # The invocation is settled by the platform (stale id, answered
            # twice, or result too large); this instance can keep serving.
            sys.stderr.write("Runtime API rejected POST %s: %d %s\n"
                             % (path, status, answer[:512].decode("utf-8", "replace")))
            return
        raise RuntimeApiError("POST %s answered %d: %r" % (path, status, answer[:512]))

    def post_response(self, request_id, body, content_type, then_next=False):
        """Posts a function's result; with `then_next`, the request for the next
        invocation leaves in the same write, and that invocation is returned."""
        path = "%s/invocation/%s/response" % (API_PREFIX, quote_path_segment(request_id))
        return self._post_result(path, body, {"Content-Type": content_type}, then_next)

    def post_error(self, request_id, body, error_type, xray_cause, then_next=False):
        path = "%s/invocation/%s/error" % (API_PREFIX, quote_path_segment(request_id))
        headers = {"Content-Type": "application/json", H_ERROR_TYPE: error_type.encode("utf-8")}
        if xray_cause and len(xray_cause) < XRAY_CAUSE_MAX_BYTES:
            headers[H_XRAY_CAUSE] = xray_cause
        return self._post_result(path, body, headers, then_next)

    def post_init_error(self, body, error_type):
        path = API_PREFIX + "/init/error"
        headers = {"Content-Type": "application/json", H_ERROR_TYPE: error_type.encode("utf-8")}
        status, _, answer = self._exchange("POST", path, body=body, headers=headers)
        if status != 202:
            raise RuntimeApiError("POST %s answered %d: %r" % (path, status, answer[:512]))


# ---------------------------------------------------------------------------
# AWS_ENDPOINT_URL for older botocore
#
# Nimbus points the AWS SDK inside a function at itself by setting
# AWS_ENDPOINT_URL (and, for single services, AWS_ENDPOINT_URL_<SERVICE>).
# botocore reads these variables itself only from version 1.31 on.  Debian
# 12's botocore is 1.29, so without help an unmodified boto3.client("lambda")
# would go to the real AWS host names.  For such versions the runtime adds the
# same rule to botocore.  Nothing of botocore is imported here (it would cost
# every cold start about 0.2 s): a finder on sys.meta_path waits until
# function code imports botocore.client and patches it right then.

ENDPOINT_URL_ENV = "AWS_ENDPOINT_URL"
IGNORE_ENDPOINT_URLS_ENV = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"


def configured_endpoint_url(environ, get_service_id):
    """The endpoint URL that botocore 1.31+ would take from `environ`, or None.

    AWS_ENDPOINT_URL_<SERVICE> comes first, then AWS_ENDPOINT_URL; an empty
    value counts as unset.  <SERVICE> is the service's serviceId with spaces
    and hyphens made underscores, in capitals: DYNAMODB, S3, CLOUDWATCH_LOGS.
    `get_service_id` returns that serviceId ("CloudWatch Logs"); it is called
    only when some AWS_ENDPOINT_URL_* variable is set.
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (any case) turns both off.
    """
    if environ.get(IGNORE_ENDPOINT_URLS_ENV, "").lower() == "true":
        return None
    prefix = ENDPOINT_URL_ENV + "_"
    if any(name.startswith(prefix) for name in environ):
        service_id = get_service_id()
        if service_id:
            url = environ.get(prefix + re.sub(r"[ -]", "_", service_id).upper())
            if url:
                return url
    return environ.get(ENDPOINT_URL_ENV) or None


def _botocore_reads_endpoint_url_env():
    """True when the botocore being imported handles AWS_ENDPOINT_URL itself.

    botocore 1.31 added this in botocore.configprovider: the class
    ConfiguredEndpointProvider reads the variables and the session variable
    ignore_configured_endpoint_urls switches them off.  Looking for these two
    names, not at the version number, also gives the right answer for a copy
    of botocore that a function bundles or that a distribution has patched.
    """
    try:
        from botocore import configprovider
    except ImportError:
        return False
    variables = getattr(configprovider, "BOTOCORE_DEFAUT_SESSION_VARIABLES", {})
    return (hasattr(configprovider, "ConfiguredEndpointProvider")
            or "ignore_configured_endpoint_urls" in variables)


def _service_id(creator, arguments):
    """serviceId of the client being created, found as create_client finds it."""
    try:
        from botocore.hooks import first_non_none_response

        name = arguments.get("service_name")
        # Resolves old client-name aliases, as create_client does first.
        answers = creator._event_emitter.emit("choose-service-name", service_name=name)
        name = first_non_none_response(answers, default=name)
        # The same loader call create_client makes next; the loader caches it.
        return creator._load_service_model(name, arguments.get("api_version")).service_id
    except Exception:
        return None


def patch_botocore_client(module):
    """Makes botocore.client.ClientCreator.create_client honour AWS_ENDPOINT_URL.

    Every way of making a client (boto3.client, boto3.resource,
    Session().client, botocore's session.create_client) ends in this method.
    When it is called without an endpoint_url, the URL from the environment
    is passed on as if the caller had given it, so everything else (S3
    path-style addressing for a custom endpoint, signing region, ...) is
    what botocore does for an explicit endpoint_url; botocore 1.31+ treats
    a URL from the environment the same way.  One detail differs: 1.31+
    still sets up endpoint discovery (only Timestream requires it) for such
    a client, while here, as for an explicit URL, it is skipped.
    """
    creator = getattr(module, "ClientCreator", None)
    original = getattr(creator, "create_client", None)
    if original is None or getattr(original, "nimbus_endpoint_url_patch", False):
        return
    if _botocore_reads_endpoint_url_env():
        return
    import inspect  # already loaded by botocore

    signature = inspect.signature(original)
    if "endpoint_url" not in signature.parameters:
        return

    @functools.wraps(original)
    def create_client(*args, **kwargs):
        try:
            call = signature.bind(*args, **kwargs)
        except TypeError:
            return original(*args, **kwargs)  # raises botocore's own error
        if call.arguments.get("endpoint_url") is None:
            url = configured_endpoint_url(
                os.environ, lambda: _service_id(call.args[0], call.arguments))
            if url:
                call.arguments["endpoint_url"] = url
        return original(*call.args, **call.kwargs)

    create_client.nimbus_endpoint_url_patch = True
    creator.create_client = create_client


class _PatchingLoader:
    """Runs the wrapped loader, then patches the module it has just run."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        create = getattr(self._loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module):
        self._loader.exec_module(module)
        try:
            patch_botocore_client(module)
        except Exception:
            pass  # a failed patch must never break the function's import


class BotocoreClientFinder:
    """First entry of sys.meta_path; acts only on the import of botocore.client.

    It lets the other finders locate the module, so the copy of botocore
    that comes first on sys.path is used as usual (a function may bundle
    its own), and only wraps the loader so the patch runs after the
    module's code.  It stays in place, so a re-imported or reloaded
    botocore.client is patched again.
    """

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "botocore.client":
            return None
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            if finder is self or find_spec is None:
                continue
            spec = find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


def install_botocore_endpoint_hook():
    module = sys.modules.get("botocore.client")
    if module is not None:
        try:
            patch_botocore_client(module)
        except Exception:
            pass
    sys.meta_path.insert(0, BotocoreClientFinder())


# ---------------------------------------------------------------------------
# Main loop


class _TraceEnv:
    """Puts each invocation's trace header in _X_AMZN_TRACE_ID.

    Not through os.environ's putenv, which is the C library's setenv(): glibc
    keeps a copy of every distinct value it is given for the life of the
    process, and trace ids are unique, so a busy instance would grow by
    hundreds of megabytes an hour. The C library's putenv() keeps a string of
    ours instead; two take turns, so that a value another thread read stays
    valid for one more invocation. os.environ's own mapping is updated
    directly. ctypes is loaded on the first use, not at start-up.
    """

    def __init__(self):
        self._putenv = None
        self._buffers = [None, None]
        self._turn = 0

    def set(self, value):
        data = getattr(os.environ, "_data", None)
        if self._putenv is None:
            try:
                import ctypes

                self._putenv = ctypes.CDLL(None).putenv
                self._buffer = ctypes.create_string_buffer
            except (ImportError, OSError, AttributeError):
                self._putenv = False
        if not self._putenv or not isinstance(data, dict):
            os.environ[TRACE_ENV] = value  # an interpreter unlike CPython's
            return
        self._turn ^= 1
        buffer = self._buffer(os.fsencode(TRACE_ENV + "=" + value))
        self._buffers[self._turn] = buffer
        self._putenv(buffer)
        data[os.environ.encodekey(TRACE_ENV)] = os.environ.encodevalue(value)

    @staticmethod
    def unset():
        os.environ.pop(TRACE_ENV, None)


_trace_env = _TraceEnv()


def _set_trace_env(trace_id):
    if trace_id is not None:
        _trace_env.set(trace_id)
    else:
        _trace_env.unset()


def _error_body(doc, encoder):
    return encoder.encode(doc).encode("utf-8", "replace")


def handle_invocation(client, handler, invocation, encoder, sink):
    """Runs one invocation, posts its result and returns the next invocation
    (asked for in the same write as the result)."""
    _STATE.request_id = invocation.request_id
    _STATE.tenant_id = invocation.tenant_id
    _set_trace_env(invocation.trace_id)

    # Only Exception is caught: SystemExit and KeyboardInterrupt raised by
    # the handler end the process, and the platform reports Runtime.ExitError.
    try:
        context = build_context(invocation)
        event = decode_event(invocation.body, invocation.content_type)
        result = handler(event, context)
        body, content_type = encode_result(result, encoder)
    except Exception as exc:
        doc, cause = describe_exception(exc, invocation.request_id)
        log_error_report(sink, doc, encoder)
        return client.post_error(
            invocation.request_id,
            _error_body(doc, encoder),
            doc["errorType"],
            json.dumps(cause),
            then_next=True,
        )
    return client.post_response(invocation.request_id, body, content_type, then_next=True)


def main():
    # First, so that even a .pth file that imports boto3 is covered.
    install_botocore_endpoint_hook()
    stdout = _install_output_streams()
    sink = StdoutLogSink(stdout)
    configure_logging(sink)
    encoder = JsonEncoder.for_environment()

    code_directories = configure_sys_path(os.environ.get("LAMBDA_TASK_ROOT") or "/var/task")

    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        sys.stderr.write("AWS_LAMBDA_RUNTIME_API is not set\n")
        return 1
    client = RuntimeApiClient(address)

    release_shadowed_modules(code_directories)
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as exc:
        # Reported while the exception is still being handled, so code that
        # inspects sys.exc_info() during the report still sees it.
        doc, _ = describe_exception(exc)
        log_error_report(sink, doc, encoder)
        client.post_init_error(_error_body(doc, encoder), doc["errorType"])
        return 1

    invocation = client.next_invocation()
    while True:
        invocation = handle_invocation(client, handler, invocation, encoder, sink)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeApiError as failure:
        sys.stderr.write("Runtime API failure: %s\n" % failure)
        sys.exit(1)
