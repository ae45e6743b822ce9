package org.waldur.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UuidsTest {

    private static final String HEX = "ce0157bce05a4a6684c85dba97529bff";

    @Test
    void hexOrDashedAnyCaseWithSurroundingWhitespace() {
        assertThat(Uuids.isValid(HEX)).isTrue();
        assertThat(Uuids.isValid(" CE0157BC-E05A-4A66-84C8-5DBA97529BFF\n")).isTrue();
        assertThat(Uuids.toHex(" CE0157BC-E05A-4A66-84C8-5DBA97529BFF\n")).isEqualTo(HEX);
    }

    @Test
    void controlCharactersAroundAUuidAreNotWhitespace() {
        assertThat(Uuids.isValid(HEX + "\u0000")).isFalse();
        assertThat(Uuids.isValid("\u0001" + HEX)).isFalse();
        assertThat(Uuids.isValid(HEX + "\u001b[0m")).isFalse();
        assertThat(Uuids.isValid(null)).isFalse();
    }
}
