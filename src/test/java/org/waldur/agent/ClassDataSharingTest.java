package org.waldur.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClassDataSharingTest {

    @Test
    void anArchiveJavaDidNotUseIsAWarningThatSaysHowToMendIt() {
        assertThat(ClassDataSharing.warning("/deployments/waldur-camel-agent.jsa", false))
                .contains("/deployments/waldur-camel-agent.jsa is not used").contains("bin/create-cds-archive.sh");
    }

    @Test
    void noArchiveGivenOrTheArchiveUsedIsNoWarning() {
        assertThat(ClassDataSharing.warning("", false)).isNull();
        assertThat(ClassDataSharing.warning(null, true)).isNull();
        assertThat(ClassDataSharing.warning("/deployments/waldur-camel-agent.jsa", true)).isNull();
    }
}
