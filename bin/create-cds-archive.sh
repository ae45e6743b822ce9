#!/bin/sh
# Writes a class data sharing archive (AppCDS) for the agent's jar: the JDK's and the agent's classes,
# parsed and verified once, mapped at every start. In the benchmark (2 cores) it takes about a second off
# start -> ready, for about 6 MB more RSS (README, Performance).
#
#   bin/create-cds-archive.sh /opt/waldur/waldur-camel-agent.jar /opt/waldur/waldur-camel-agent.jsa
#   java -XX:SharedArchiveFile=/opt/waldur/waldur-camel-agent.jsa ... -jar /opt/waldur/waldur-camel-agent.jar ...
#
# The archive fits one java binary and one jar: create it with the java that runs the agent ($JAVA, or
# java on the PATH), for the jar at the path the agent is started with, and again after either changes.
# A java that finds the archive does not fit prints a warning and starts without it, only slower.
# The classes are those a run of the sandbox loads (java -jar ... --sandbox: TLS to the broker, a Create
# order, a user joining, a pause, a Terminate), without the sandbox's own broker and Waldur simulator,
# which a site's agent never loads; it needs python3 (the sandbox's SLURM stand-in), which the agent
# itself does not.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 <agent jar> <archive to write>" >&2
    exit 2
fi
jar=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
java=${JAVA:-java}
[ -f "$jar" ] || { echo "$0: no such jar: $jar" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$0: python3 is needed for the sandbox's SLURM stand-in" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the JIT option only makes the training run quicker; the class list does not depend on it
if ! (cd "$tmp" && "$java" -XX:TieredStopAtLevel=1 -XX:DumpLoadedClassList="$tmp/loaded.lst" -jar "$jar" --sandbox \
        > "$tmp/sandbox.log" 2>&1); then
    cat "$tmp/sandbox.log" >&2
    echo "$0: the sandbox run failed (output above); no archive written" >&2
    exit 1
fi
grep -v -E '^(org/apache/activemq/|org/jctools/|org/apache/commons/beanutils/|org/waldur/agent/sandbox/|com/networknt/|com/ethlo/|sun/net/httpserver/|com/sun/net/httpserver/)' "$tmp/loaded.lst" \
    > "$tmp/agent.lst"
rm -f "$out"
if ! "$java" -Xshare:dump -XX:SharedClassListFile="$tmp/agent.lst" -XX:SharedArchiveFile="$out" -cp "$jar" \
        > "$tmp/dump.log" 2>&1; then
    cat "$tmp/dump.log" >&2
    echo "$0: java -Xshare:dump failed (output above)" >&2
    exit 1
fi
echo "$out: $(wc -l < "$tmp/agent.lst") classes for $jar ($("$java" -version 2>&1 | head -1))"
