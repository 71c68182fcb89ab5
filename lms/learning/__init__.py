"""The services behind the learner's pages: content as served, reading, attempts, completion,
the dashboard and goals. Plain functions over models; the views commit."""
