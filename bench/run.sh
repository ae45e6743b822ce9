#!/bin/sh
# The benchmark of issue 5: builds the agent jar when it is missing, compiles the stub SLURM client and the
# harness, then runs src/test/java/org/waldur/agent/bench/Benchmark.java, which writes bench/results.md and
# bench/latency.png. Needs mosquitto, gcc, and root for the real slurmdbd part (skipped otherwise).
# Options go to the harness as -D flags, e.g.
#   bench/run.sh -Dbench.burst=1000 -Dbench.slurm=0 -Dbench.agentJvmOpts="-Xmx128m -XX:+UseSerialGC"
set -eu
cd "$(dirname "$0")/.."
if [ ! -f target/waldur-camel-agent.jar ]; then
    ./mvnw -B -ntp -q package -DskipTests
fi
./mvnw -B -ntp -q test-compile
if [ ! -f target/bench-classpath.txt ] || [ pom.xml -nt target/bench-classpath.txt ]; then
    ./mvnw -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
fi
mkdir -p target/bench/stub
gcc -O2 -Wall -o target/bench/stub/sacctmgr bench/stub-slurm.c
ln -sf sacctmgr target/bench/stub/sacct
ln -sf sacctmgr target/bench/stub/scancel
uptime
exec java -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" "$@" org.waldur.agent.bench.Benchmark
