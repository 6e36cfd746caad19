#!/bin/sh
# Starts Flatness Lab with its H2 files under /app/data and extra datasets under /app/datasets.
# JAVA_OPTS sets JVM options; ND4J's off-heap limit follows the heap size unless
# -Dorg.bytedeco.javacpp.maxbytes is given.
set -e
exec java $JAVA_OPTS -jar /app/flatness-lab.jar \
  --flatnesslab.data-directory=/app/data \
  --flatnesslab.datasets.directory=/app/datasets \
  "$@"
