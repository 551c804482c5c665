"""The demo's steps after the scan: each shows one capability on the lab, through its library
calls (the capabilities know nothing of the demo)."""
