#!/bin/sh
# The benchmark of issue 5: builds the agent jar when it is missing or stale, compiles the stub SLURM client and the
# harness, then runs src/test/java/org/waldur/agent/bench/Benchmark.java, which writes bench/results.md and
# bench/latency.png. Needs mosquitto, gcc, and root for the real slurmdbd part (skipped otherwise).
# Options go to the harness as -D flags, e.g.
#   bench/run.sh -Dbench.burst=1000 -Dbench.slurm=0 -Dbench.agentJvmOpts="-Xmx128m -XX:+UseSerialGC"
# Without -Dbench.agentJvmOpts the agent gets the image's options (Containerfile JAVA_OPTS) with the archive.
set -eu
cd "$(dirname "$0")/.."
# (re)built when missing or older than what goes into it, so a run never measures a stale jar
if [ ! -f target/waldur-camel-agent.jar ] || [ -n "$(find pom.xml application.properties routes src/main -newer target/waldur-camel-agent.jar -print | head -n 1)" ]; then
    ./mvnw -B -ntp -q package -DskipTests
fi
./mvnw -B -ntp -q test-compile
# the class data sharing archive the image makes, for this jar and this java (the agent's default options use it)
if [ ! -f target/waldur-camel-agent.jsa ] || [ target/waldur-camel-agent.jar -nt target/waldur-camel-agent.jsa ]; then
    sh bin/create-cds-archive.sh target/waldur-camel-agent.jar target/waldur-camel-agent.jsa
fi
if [ ! -f target/bench-classpath.txt ] || [ pom.xml -nt target/bench-classpath.txt ]; then
    ./mvnw -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
fi
mkdir -p target/bench/stub
gcc -O2 -Wall -o target/bench/stub/sacctmgr bench/stub-slurm.c
ln -sf sacctmgr target/bench/stub/sacct
ln -sf sacctmgr target/bench/stub/scancel
uptime
exec java -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" "$@" org.waldur.agent.bench.Benchmark
