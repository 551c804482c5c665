"""Who touched it: access-log parsers, the event lake, Sigma detections and alerts."""
