"""What wraps every request: the request log, JSON errors and optional slashes under /api/, the response cache and
its replay, the probes, the door changes are recorded with."""
