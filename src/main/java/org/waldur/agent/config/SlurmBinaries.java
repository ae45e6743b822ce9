package org.waldur.agent.config;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Resolves SLURM programs from {@code slurm_bin_path}, or from PATH when it is not set. */
public final class SlurmBinaries {

    private SlurmBinaries() {
    }

    public static Optional<Path> findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** Absolute path of a SLURM program for this offering; falls back to the bare name, which then fails clearly at exec time. */
    public static String resolve(SlurmSettings settings, String program) {
        if (settings.slurmBinPath() != null && !settings.slurmBinPath().isBlank()) {
            return Path.of(settings.slurmBinPath(), program).toAbsolutePath().toString();
        }
        return findOnPath(program).map(Path::toString).orElse(program);
    }
}
