#!/usr/bin/env python3
"""Ask an X11 window to close, as a window manager's close button does: send
it a WM_DELETE_WINDOW client message (GTK turns it into delete-event, Tauri
into CloseRequested). Usage: x11_close.py TITLE  (uses $DISPLAY). Exit 0 when
a window with that title got the message, 1 when none was found."""
import ctypes
import ctypes.util
import sys

x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XDefaultRootWindow.restype = ctypes.c_ulong
x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong),
                         ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)), ctypes.POINTER(ctypes.c_uint)]
x.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_char_p)]
x.XFree.argtypes = [ctypes.c_void_p]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
x.XFlush.argtypes = [ctypes.c_void_p]
x.XCloseDisplay.argtypes = [ctypes.c_void_p]


class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("l", ctypes.c_long * 5)]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]


def windows(d, w):
    root, parent = ctypes.c_ulong(), ctypes.c_ulong()
    children, n = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
    if not x.XQueryTree(d, w, ctypes.byref(root), ctypes.byref(parent), ctypes.byref(children), ctypes.byref(n)):
        return
    kids = [children[i] for i in range(n.value)]
    if children:
        x.XFree(children)
    for k in kids:
        yield k
        yield from windows(d, k)


def main():
    title = sys.argv[1].encode()
    d = x.XOpenDisplay(None)
    if not d:
        print("x11_close: cannot open the display", file=sys.stderr)
        return 2
    protocols = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
    delete = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
    sent = 0
    for w in windows(d, x.XDefaultRootWindow(d)):
        name = ctypes.c_char_p()
        if x.XFetchName(d, w, ctypes.byref(name)) and name.value == title:
            e = XEvent()
            e.xclient.type = 33  # ClientMessage
            e.xclient.window = w
            e.xclient.message_type = protocols
            e.xclient.format = 32
            e.xclient.l[0] = delete
            e.xclient.l[1] = 0  # CurrentTime
            x.XSendEvent(d, w, 0, 0, ctypes.byref(e))
            sent += 1
        if name:
            x.XFree(name)
    x.XFlush(d)
    x.XCloseDisplay(d)
    return 0 if sent else 1


sys.exit(main())
