"""The command line: a thin layer over the library (parse options, load, call, report)."""
