package dev.voiceagent.store;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbRow;
import io.helidon.dbclient.DbTransaction;

/**
 * What every statement of the store needs: database failures turned into {@link StoreException}, transactions
 * that always end, and conversions between JDBC values and Java types.
 */
final class Sql {

    private Sql() {
    }

    /**
     * Runs {@code work}, turning a database failure (statement refused, connection lost, pool timed out) into a
     * {@link StoreException} saying {@code what} failed and why.
     */
    static <T> T run(String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            if (e instanceof DbClientException || sqlCause(e).isPresent()) {
                throw new StoreException(what + ": " + reason(e), e);
            }
            throw e;
        }
    }

    /** {@link #run} with one transaction around {@code work}: committed when it returns, rolled back if it throws. */
    static <T> T inTransaction(DbClient db, String what, Function<DbTransaction, T> work) {
        return run(what, () -> {
            DbTransaction tx = db.transaction();
            T result;
            try {
                result = work.apply(tx);
            } catch (RuntimeException e) {
                try {
                    tx.rollback();
                } catch (RuntimeException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
            tx.commit();
            return result;
        });
    }

    /** The JDBC errors behind {@code e}, outermost first, e.g. a pool timeout and the refused connection. */
    static String reason(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = e; t != null && messages.size() < 3; t = t.getCause()) {
            if (t instanceof SQLException && t.getMessage() != null && !messages.contains(t.getMessage())) {
                messages.add(t.getMessage());
            }
        }
        return messages.isEmpty() ? String.valueOf(e.getMessage()) : String.join(": ", messages);
    }

    private static Optional<SQLException> sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return Optional.of(sql);
            }
        }
        return Optional.empty();
    }

    // ---- parameters: pgjdbc cannot bind an Instant, but binds an OffsetDateTime as timestamptz ----------------

    static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    // ---- columns: DbRow gives the driver's raw objects (Timestamp, Integer, Long, String) ---------------------

    /** The driver's value, null for SQL NULL ({@code DbColumn.get()} throws on NULL). */
    static Object raw(DbRow row, String column) {
        return row.column(column).get(Object.class);
    }

    static String string(DbRow row, String column) {
        Object value = raw(row, column);
        return value == null ? null : value.toString();
    }

    static Optional<String> optionalString(DbRow row, String column) {
        return Optional.ofNullable(string(row, column));
    }

    static long longValue(DbRow row, String column) {
        return ((Number) raw(row, column)).longValue();
    }

    static int intValue(DbRow row, String column) {
        return ((Number) raw(row, column)).intValue();
    }

    static Optional<Long> optionalLong(DbRow row, String column) {
        Object value = raw(row, column);
        return value == null ? Optional.empty() : Optional.of(((Number) value).longValue());
    }

    static boolean bool(DbRow row, String column) {
        return (Boolean) raw(row, column);
    }

    static Instant instant(DbRow row, String column) {
        Object value = raw(row, column);
        return switch (value) {
            case null -> null;
            case Timestamp ts -> ts.toInstant();
            case OffsetDateTime odt -> odt.toInstant();
            case Instant i -> i;
            default -> throw new IllegalStateException("column " + column + " is not a timestamp: " + value.getClass());
        };
    }

    static Optional<Instant> optionalInstant(DbRow row, String column) {
        return Optional.ofNullable(instant(row, column));
    }
}
