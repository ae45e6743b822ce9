package org.waldur.agent.waldur;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WaldurResponseHeadersTest {

    private final WaldurResponseHeaders filter = new WaldurResponseHeaders();

    @Test
    void onlyTheLinkHeaderOfAnAnswerReachesTheExchange() {
        assertThat(filter.applyFilterToExternalHeaders("Link", "<…?page=2>; rel=\"next\"", null)).isFalse();
        assertThat(filter.applyFilterToExternalHeaders("link", "<…?page=2>; rel=\"next\"", null)).isFalse();
        for (String other : new String[] {"Content-Type", "Date", "Allow", "Vary", "X-Result-Count", "Set-Cookie"}) {
            assertThat(filter.applyFilterToExternalHeaders(other, "x", null)).as(other).isTrue();
        }
    }

    @Test
    void noExchangeHeaderIsSentToWaldur() {
        assertThat(filter.applyFilterToCamelHeaders("WaldurOffering", "x", null)).isTrue();
        assertThat(filter.applyFilterToCamelHeaders("Authorization", "Token secret", null)).isTrue();
    }
}
