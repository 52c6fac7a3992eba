"""Runs one Python Loopy @sensor function as an exec sensor (AUTHORING.md 4.3 and 4.4).

argv: <project root> <manifest.json> <module> <function>. Reads the request or tick as JSON on stdin and prints
each event the function returns (None, one event, or an iterable of them) as one JSON line.
"""
import asyncio
import datetime
import importlib
import inspect
import json
import sys
import types


class Event:
    def __init__(self, name, fields, id=None):
        self.name = name
        self.fields = fields
        self.id = id


def _event_type(name):
    def make(_id=None, **fields):
        return Event(name, fields, _id)
    make.__name__ = name
    return make


def sensor(*_args, **_kwargs):
    def wrap(fn):
        return fn
    return wrap


class Request:
    def __init__(self, payload):
        self.path = payload.get("path")
        self.headers = payload.get("headers") or {}
        self.raw = payload.get("raw") or ""
        self.json = payload.get("body")
        self.body = self.json


class Tick:
    def __init__(self, payload):
        self.scheduled_at = _time(payload["scheduled_at"])
        self.last_run = _time(payload["last_run"])


def _time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _install_loopy(manifest_path):
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    loopy = types.ModuleType("loopy")
    events = types.ModuleType("loopy.events")
    for name in (manifest.get("registry") or {}).get("events") or {}:
        setattr(events, name.replace(".", "_"), _event_type(name))
        if "." not in name:
            setattr(events, name, _event_type(name))
    loopy.sensor = sensor
    loopy.events = events
    loopy.Event = Event
    sys.modules["loopy"] = loopy
    sys.modules["loopy.events"] = events


def _line(item):
    if isinstance(item, Event):
        out = {"name": item.name, "fields": item.fields}
        if item.id is not None:
            out["id"] = item.id
        return out
    if isinstance(item, dict):
        return item if "fields" in item else {"fields": item}
    raise TypeError("a sensor returned %r, not an event" % type(item).__name__)


def main():
    root, manifest_path, module_name, function_name = sys.argv[1:5]
    sys.path.insert(0, root)
    _install_loopy(manifest_path)
    payload = json.load(sys.stdin)
    function = getattr(importlib.import_module(module_name), function_name)
    argument = Request(payload) if payload.get("kind") == "webhook" else Tick(payload)
    result = function(argument)
    if inspect.isawaitable(result):
        result = asyncio.run(result)
    if result is None:
        items = []
    elif isinstance(result, (Event, dict)):
        items = [result]
    else:
        items = list(result)
    for item in items:
        print(json.dumps(_line(item), default=str))


if __name__ == "__main__":
    main()
