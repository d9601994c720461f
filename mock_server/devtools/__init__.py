"""What the mock offers developers beyond the API itself: the admin API and its request journal,
the `Prefer` header and the documented examples it answers, `--latency`/`--fail-rate`, the docs
page and served spec, and the access log."""
