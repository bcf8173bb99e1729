#!/usr/bin/python3
"""Screenshot a page with WebKitGTK (the engine family of Apple Books and
Kobo): webkit_shot.py URL WIDTH HEIGHT OUT.png. Needs Debian's
gir1.2-webkit2-4.1 and python3-gi, and a display (run under xvfb-run)."""
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

url, width, height, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
window = Gtk.OffscreenWindow()
window.set_default_size(width, height)
view = WebKit2.WebView()
view.set_size_request(width, height)
window.add(view)
window.show_all()


def saved(view, result):
    surface = view.get_snapshot_finish(result)
    surface.write_to_png(out)
    Gtk.main_quit()


def loaded(view, event):
    if event == WebKit2.LoadEvent.FINISHED:
        # Let the layout settle (fonts, the fragment's scroll) first.
        GLib.timeout_add(2500, lambda: view.get_snapshot(
            WebKit2.SnapshotRegion.VISIBLE, WebKit2.SnapshotOptions.NONE, None, saved) and False)


view.connect("load-changed", loaded)
view.load_uri(url)
GLib.timeout_add_seconds(30, Gtk.main_quit)
Gtk.main()
