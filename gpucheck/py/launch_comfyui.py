"""Starts ComfyUI's main.py for the GPU check with stand-ins for the Python
modules the GPU machine lacks (test-only; the report lists them).

Usage: python3 launch_comfyui.py COMFYUI_DIR [main.py arguments...]

The stand-ins come from an import hook placed LAST on sys.meta_path, so an
installed package always wins. Each stand-in accepts any attribute access,
subclassing and call, and is false in a boolean test (comfy_aimdo's
init_devices() is then false, and ComfyUI uses its classic VRAM manager).
"""
import importlib.abc
import importlib.machinery
import os
import runpy
import sys
import types

STUBBED = {"sqlalchemy", "comfy_aimdo", "torchsde", "av", "pydantic", "kornia", "simpleeval"}
created = []


class _StubMeta(type):
    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _new_stub(name)

    def __bool__(cls):
        return False

    def __or__(cls, other):
        return cls

    def __ror__(cls, other):
        return cls

    def __getitem__(cls, item):
        return cls

    def __iter__(cls):
        return iter(())


class _Stub(metaclass=_StubMeta):
    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _new_stub(name)

    def __call__(self, *args, **kwargs):
        # A decorator factory's result is called with the function: keep it.
        if len(args) == 1 and not kwargs and callable(args[0]):
            return args[0]
        return _Stub()

    def __bool__(self):
        return False

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __getitem__(self, item):
        return _Stub()


def _new_stub(name):
    return _StubMeta(str(name), (_Stub,), {})


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = _new_stub(name)
        setattr(self, name, value)
        return value


class _StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        m = _StubModule(spec.name)
        m.__path__ = []
        created.append(spec.name)
        return m

    def exec_module(self, module):
        pass


class _StubFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in STUBBED:
            return None
        return importlib.machinery.ModuleSpec(name, _StubLoader(), is_package=True)


def main():
    comfy_dir = os.path.abspath(sys.argv[1])
    sys.meta_path.append(_StubFinder())
    sys.argv = [os.path.join(comfy_dir, "main.py")] + sys.argv[2:]
    sys.path.insert(0, comfy_dir)
    os.chdir(comfy_dir)
    print("gpucheck: stand-in modules for %s (import hook, last on sys.meta_path)" % ", ".join(sorted(STUBBED)), flush=True)
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
