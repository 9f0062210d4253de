"""The hub's own glue: its lifecycle, audit rows, dashboard and hub-wide sensors."""
