package org.waldur.agent.usernames;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The Python agent's default {@code base}: never produces a username, so nothing is generated. */
public final class BaseUsernameSource implements UsernameSource {

    @Override
    public Optional<String> usernameFor(Map<String, Object> offeringUser, Set<String> taken) {
        return Optional.empty();
    }
}
