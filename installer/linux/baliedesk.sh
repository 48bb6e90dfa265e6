#!/bin/sh
# BalieDesk: the program lives in /opt/baliedesk; your data stays in your own data folder.
exec /opt/baliedesk/baliedesk "$@"
