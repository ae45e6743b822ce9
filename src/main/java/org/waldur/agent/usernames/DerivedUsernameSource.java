package org.waldur.agent.usernames;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code derived}: a POSIX- and SLURM-safe name from the user's Waldur username (or e-mail), e.g.
 * {@code Zoë.Zulu@uni.example} → {@code zoe_zulu}: accents removed, lowercased, anything but letters,
 * digits, '_' and '-' replaced by '_', starting with a letter, at most 32 characters; a number is added
 * when the name is taken in this offering.
 */
public final class DerivedUsernameSource implements UsernameSource {

    static final int MAX_LENGTH = 32;

    @Override
    public Optional<String> usernameFor(Map<String, Object> offeringUser, Set<String> taken) {
        String source = text(offeringUser.get("user_username"));
        if (source.isBlank()) {
            source = text(offeringUser.get("user_email"));
        }
        int at = source.indexOf('@');
        if (at > 0) {
            source = source.substring(0, at);
        }
        String ascii = Normalizer.normalize(source, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
        String base = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "_").replaceAll("_+", "_");
        base = base.replaceAll("^[^a-z]+", "").replaceAll("_+$", "");
        if (base.isEmpty()) {
            return Optional.empty();
        }
        if (base.length() > MAX_LENGTH) {
            base = base.substring(0, MAX_LENGTH);
        }
        String candidate = base;
        for (int i = 1; taken.contains(candidate); i++) {
            String suffix = String.valueOf(i);
            candidate = base.substring(0, Math.min(base.length(), MAX_LENGTH - suffix.length())) + suffix;
        }
        return Optional.of(candidate);
    }

    private static String text(Object o) {
        return o == null ? "" : String.valueOf(o);
    }
}
