package org.waldur.agent.logging;

import io.sentry.log4j2.SentryAppender;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;

/**
 * Optional Sentry reporting, as the Python agent's {@code sentry_dsn}: ERROR log events (a dead letter, an
 * erred order, a failed subscription) become Sentry events; INFO and WARN become breadcrumbs. The
 * environment comes from {@code SENTRY_ENVIRONMENT}, as in the Python agent.
 */
public final class SentryReporting {

    static final String APPENDER = "sentry";

    private SentryReporting() {
    }

    public static void enable(String dsn) {
        if (dsn == null || dsn.isBlank()) {
            return;
        }
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        if (configuration.getAppender(APPENDER) != null) {
            return;
        }
        SentryAppender appender = SentryAppender.createAppender(APPENDER, Level.INFO, Level.ERROR, dsn, false, null, null);
        appender.start();
        configuration.addAppender(appender);
        configuration.getRootLogger().addAppender(appender, Level.INFO, null);
        context.updateLoggers();
    }

    public static void disable() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        configuration.getRootLogger().removeAppender(APPENDER);
        if (configuration.getAppender(APPENDER) != null) {
            configuration.getAppender(APPENDER).stop();
        }
        context.updateLoggers();
        io.sentry.Sentry.close();
    }
}
