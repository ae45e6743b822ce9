package org.waldur.agent;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;

/**
 * Says at start-up whether the class data sharing archive given with {@code -XX:SharedArchiveFile} is used.
 * java silently starts without an archive that was made for another jar or java, and the only symptom
 * would be a slower start-up.
 */
final class ClassDataSharing {

    private ClassDataSharing() {
    }

    static void logStatus(Logger log) {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            String archive = vm.getVMOption("SharedArchiveFile").getValue();
            boolean sharing = Boolean.parseBoolean(vm.getVMOption("UseSharedSpaces").getValue());
            String warning = warning(archive, sharing);
            if (warning != null) {
                log.warn(warning);
            } else if (archive != null && !archive.isEmpty()) {
                log.info("Class data sharing archive {} in use", archive);
            }
        } catch (RuntimeException e) {
            // not HotSpot, or the options are named differently: nothing to say
            log.debug("Cannot tell whether class data sharing is used: {}", e.toString());
        }
    }

    /** The warning for an archive that was given but is not used, else null. */
    static String warning(String archive, boolean sharing) {
        if (archive == null || archive.isEmpty() || sharing) {
            return null;
        }
        return "Class data sharing archive " + archive + " is not used (missing, or made for another jar or java):"
                + " start-up is slower. Re-create it with bin/create-cds-archive.sh (README, Deployment)";
    }
}
