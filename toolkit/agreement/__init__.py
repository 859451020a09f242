"""Inter-annotator agreement and adjudication (``toolkit.agreement``)."""
