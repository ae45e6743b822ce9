package org.waldur.agent.slurm;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Runs sacctmgr writes one at a time. slurmdbd 22.05 loses additions made at the same moment over different
 * connections: six concurrent {@code sacctmgr -i add account} (or {@code add user}) runs under one parent all
 * exit 0, yet one or two of the accounts (associations) never appear, and a following {@code modify} answers
 * "Nothing modified" (reproduced against slurm-local; found by FaultKillSystemIT). Reads stay parallel.
 */
public final class SlurmWrites {

    private static final Set<String> WRITE_VERBS = Set.of("add", "create", "modify", "update", "delete", "remove");

    private final ReentrantLock lock = new ReentrantLock(true);
    private ProducerTemplate producer;

    /** True for a sacctmgr command whose first word after the options changes the accounting database. */
    public static boolean isWrite(SlurmCommand command) {
        if (!Path.of(command.getExecutable()).getFileName().toString().equals("sacctmgr")) {
            return false;
        }
        List<String> args = command.getArgs();
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                return WRITE_VERBS.contains(arg.toLowerCase(Locale.ROOT));
            }
        }
        return false;
    }

    /** Sends the exchange to {@code endpoint}, holding the write lock when the command is a write; failures stay on the exchange. */
    public void call(Exchange exchange, SlurmCommand command, String endpoint) {
        if (producer == null) {
            producer = exchange.getContext().createProducerTemplate();
        }
        if (!isWrite(command)) {
            producer.send(endpoint, exchange);
            return;
        }
        lock.lock();
        try {
            producer.send(endpoint, exchange);
        } finally {
            lock.unlock();
        }
    }
}
