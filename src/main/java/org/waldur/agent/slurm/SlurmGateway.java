package org.waldur.agent.slurm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.component.exec.ExecBinding;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.ComponentConfig;
import org.waldur.agent.config.OfferingConfig;
import org.waldur.agent.config.SlurmBinaries;
import org.waldur.agent.config.SlurmSettings;

/**
 * What the SLURM steps of the routes call: builds each command for an offering (its bin path, cluster,
 * prefixes and components) and reads results. Commands are built here and run by the slurm-command route,
 * so every SLURM call is visible in one place (JMX, logs, tests).
 */
public final class SlurmGateway {

    /** camel-exec reports a command killed at its timeout as exit value 143 (SIGTERM), without an exception. */
    private static final int KILLED_BY_TIMEOUT = 143;

    private final AgentConfig config;
    private final Map<String, Offering> offerings = new ConcurrentHashMap<>();

    private record Offering(SlurmSettings settings, String binPath, SacctmgrCommands commands, SacctCommands sacct,
                            AccountNames names, List<Component> components) {
    }

    private final String idCommand;
    private final String mkhomedirHelper;

    public SlurmGateway(AgentConfig config) {
        this(config, UnixUserCommands.DEFAULT_ID, UnixUserCommands.DEFAULT_MKHOMEDIR_HELPER);
    }

    /** @param idCommand the {@code id} program; @param mkhomedirHelper the home directory helper (both configurable for sites and tests) */
    public SlurmGateway(AgentConfig config, String idCommand, String mkhomedirHelper) {
        this.config = config;
        this.idCommand = idCommand;
        this.mkhomedirHelper = mkhomedirHelper;
        for (OfferingConfig o : config.offerings()) {
            SlurmSettings s = o.backendSettings();
            String binPath = s.slurmBinPath() != null && !s.slurmBinPath().isBlank()
                    ? s.slurmBinPath()
                    : SlurmBinaries.findOnPath("sacctmgr").map(p -> p.getParent().toString()).orElse(SlurmTool.DEFAULT_BIN_PATH);
            List<Component> components = new ArrayList<>();
            for (Map.Entry<String, ComponentConfig> c : o.backendComponents().entrySet()) {
                ComponentConfig cc = c.getValue();
                components.add(new Component(c.getKey(), cc.accountingType(), cc.unitFactor(), cc.limit()));
            }
            offerings.put(o.key(), new Offering(s, binPath, new SacctmgrCommands(s.clusterName()), new SacctCommands(s.clusterName()),
                    new AccountNames(s.customerPrefix(), s.projectPrefix(), s.allocationPrefix()), List.copyOf(components)));
        }
    }

    private Offering offering(String key) {
        Offering o = offerings.get(key);
        if (o == null) {
            throw new IllegalArgumentException("No offering with UUID " + key + " is configured");
        }
        return o;
    }

    private SlurmCommand sacctmgr(Offering o, List<String> args) {
        return new SlurmCommand(SacctmgrCommands.argv(o.binPath(), SlurmTool.SACCTMGR, args));
    }

    // --- accounts -------------------------------------------------------------------------------

    /**
     * The accounts of a resource. The allocation is the resource's backend_id when Waldur has one (so an
     * earlier name is kept), else allocation_prefix + slug.
     */
    public AccountPlan accountsFor(String offeringKey, Map<String, Object> resource) {
        Offering o = offering(offeringKey);
        String uuid = text(resource, "uuid");
        String customer = o.names().customer(uuid, text(resource, "customer_slug"));
        String project = o.names().project(uuid, text(resource, "project_slug"));
        String backendId = text(resource, "backend_id");
        String allocation = backendId.isBlank()
                ? o.names().allocation(uuid, text(resource, "slug"))
                : SlurmNames.account("backend_id of resource " + uuid, backendId);
        String root = o.settings().rootAccount();
        List<AccountSpec> hierarchy = List.of(
                new AccountSpec(customer, text(resource, "customer_name"), customer, root),
                new AccountSpec(project, text(resource, "project_name"), project, customer),
                new AccountSpec(allocation, text(resource, "name"), project, project));
        return new AccountPlan(project, allocation, hierarchy);
    }

    /** Termination needs only the backend_id; null when the resource never got one. */
    public AccountPlan accountsForTermination(String offeringKey, Map<String, Object> resource, Map<String, Object> order) {
        Offering o = offering(offeringKey);
        String backendId = text(resource, "backend_id");
        if (backendId.isBlank()) {
            return null;
        }
        String allocation = SlurmNames.account("backend_id of resource " + text(resource, "uuid"), backendId);
        String projectSlug = text(resource, "project_slug");
        if (projectSlug.isBlank() && order != null) {
            projectSlug = text(order, "project_slug");
        }
        String project = projectSlug.isBlank() ? null : o.names().project(text(resource, "uuid"), projectSlug);
        return new AccountPlan(project, allocation, List.of());
    }

    public SlurmCommand showAccount(String offeringKey, String account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().showAccount(account));
    }

    /** {@code show account} of the resource's backend_id; a resource without one cannot be changed in SLURM. */
    public SlurmCommand requireAccount(String offeringKey, Map<String, Object> resource) {
        String backendId = text(resource, "backend_id");
        if (backendId.isBlank()) {
            throw new InvalidResourceDataException("Resource " + text(resource, "uuid") + " has no backend_id: it has no SLURM account to change");
        }
        return showAccount(offeringKey, SlurmNames.account("backend_id of resource " + text(resource, "uuid"), backendId));
    }

    public SlurmCommand addAccount(String offeringKey, AccountSpec account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().addAccount(account.getName(), account.getDescription(),
                account.getOrganization(), account.getParent()));
    }

    public SlurmCommand removeAccount(String offeringKey, String account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().removeAccount(account));
    }

    public SlurmCommand listAccountOrganizations(String offeringKey) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().listAccountOrganizations());
    }

    /** True when no account other than the project account itself names it as organization. */
    public boolean isUnused(String projectAccount, String listing) {
        return SacctmgrOutput.accountOrganizations(listing).entrySet().stream()
                .noneMatch(e -> !e.getKey().equalsIgnoreCase(projectAccount) && e.getValue().equalsIgnoreCase(projectAccount));
    }

    // --- users ----------------------------------------------------------------------------------

    public SlurmCommand listAccountUsers(String offeringKey, String account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().listAssociationUsers(account));
    }

    public boolean hasUsers(String account, String listing) {
        return !SacctmgrOutput.associationUsers(listing, account).isEmpty();
    }

    public SlurmCommand removeAllUsers(String offeringKey, String account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().removeAllUsers(account));
    }

    public SlurmCommand cancelJobs(String offeringKey, String account) {
        Offering o = offering(offeringKey);
        return new SlurmCommand(SacctmgrCommands.argv(o.binPath(), SlurmTool.SCANCEL, o.commands().cancelAccountJobs(account)));
    }

    public SlurmCommand showUserAssociation(String offeringKey, String user, String account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().showUserAssociation(user, account));
    }

    public boolean associationExists(String listing, String user, String account) {
        return SacctmgrOutput.userAssociationExists(listing, user, account);
    }

    /** {@code add user <u> account=<a> DefaultAccount=<default_account> Share=parent}. */
    public SlurmCommand addUser(String offeringKey, String user, String account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().addUser(user, account, o.settings().defaultAccount()));
    }

    public SlurmCommand removeUser(String offeringKey, String user, String account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().removeUser(user, account));
    }

    /** {@code id -u <user>}: jobs can only belong to a user the system knows. */
    public SlurmCommand userExists(String offeringKey, String user) {
        offering(offeringKey);
        return new SlurmCommand(UnixUserCommands.userId(idCommand, user), SlurmCommand.Kind.USER_EXISTS);
    }

    public SlurmCommand activeUserJobs(String offeringKey, String user, String account) {
        Offering o = offering(offeringKey);
        return new SlurmCommand(SacctmgrCommands.argv(o.binPath(), SlurmTool.SACCT, o.sacct().activeUserJobs(user, account)));
    }

    public boolean hasJobs(String listing) {
        return !SacctOutput.jobIds(listing).isEmpty();
    }

    public SlurmCommand cancelUserJobs(String offeringKey, String user, String account) {
        Offering o = offering(offeringKey);
        return new SlurmCommand(SacctmgrCommands.argv(o.binPath(), SlurmTool.SCANCEL, o.commands().cancelUserJobs(user, account)));
    }

    /** Whether new users get a home directory ({@code enable_user_homedir_account_creation}, default true). */
    public boolean createsHomedirs(String offeringKey) {
        return Boolean.TRUE.equals(offering(offeringKey).settings().enableUserHomedirAccountCreation());
    }

    public SlurmCommand mkhomedir(String offeringKey, String user) {
        SlurmSettings s = offering(offeringKey).settings();
        String umask = s.homedirUmask() != null && !s.homedirUmask().isBlank() ? s.homedirUmask()
                : s.defaultHomedirUmask() != null && !s.defaultHomedirUmask().isBlank() ? s.defaultHomedirUmask()
                : UnixUserCommands.DEFAULT_UMASK;
        return new SlurmCommand(UnixUserCommands.mkhomedir(mkhomedirHelper, user, umask));
    }

    // --- usage ---------------------------------------------------------------------------------

    /** One sacct run for all the offering's accounts over the billing month (slurm.md §7). */
    public SlurmCommand usageReport(String offeringKey, List<String> accounts, BillingMonth month) {
        Offering o = offering(offeringKey);
        return new SlurmCommand(SacctmgrCommands.argv(o.binPath(), SlurmTool.SACCT,
                o.sacct().usageReport(accounts, month.start(), month.end())));
    }

    /** Usage per account in Waldur units, every configured component present (0.00 when unused). */
    public Map<String, SacctUsage.AccountUsage> usageInWaldurUnits(String offeringKey, String output) {
        Offering o = offering(offeringKey);
        java.util.Set<String> types = new java.util.HashSet<>();
        o.components().forEach(c -> types.add(c.type()));
        Map<String, SacctUsage.AccountUsage> slurm = SacctUsage.parse(output, types);
        Map<String, SacctUsage.AccountUsage> waldur = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        slurm.forEach((account, usage) -> waldur.put(account, usage.inWaldurUnits(o.components())));
        return waldur;
    }

    public List<Component> components(String offeringKey) {
        return offering(offeringKey).components();
    }

    // --- limits and QoS -------------------------------------------------------------------------

    public LimitsPlan limitsForCreate(String offeringKey, Map<String, Object> resource) {
        TresLimits.Plan plan = TresLimits.forCreation(offering(offeringKey).components(), numbers(resource.get("limits")));
        return new LimitsPlan(plan.grpTresMins(), plan.waldurLimits());
    }

    /** Update orders: the new Waldur limits of configured components, in SLURM units; Waldur applies them itself. */
    public LimitsPlan limitsForUpdate(String offeringKey, Object newLimits) {
        Map<String, Long> slurm = TresLimits.toSlurm(offering(offeringKey).components(), numbers(newLimits));
        return new LimitsPlan(slurm, Map.of());
    }

    public SlurmCommand setGrpTresMins(String offeringKey, String account, LimitsPlan limits) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().setGrpTresMins(account, limits.getSlurm()));
    }

    public SlurmCommand listAccountQos(String offeringKey, String account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().listAccountQos(account));
    }

    public SlurmCommand setQos(String offeringKey, String account, String qos) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().setAccountQos(account, qos));
    }

    public SlurmCommand showLimits(String offeringKey, String account) {
        Offering o = offering(offeringKey);
        return new SlurmCommand(SacctmgrCommands.argv(o.binPath(), SlurmTool.SACCTMGR_READ, o.commands().showLimits(account)));
    }

    /**
     * Limits in SLURM that differ from Waldur's (§5.7 e), in Waldur units, for set_limits; null when they
     * agree or SLURM has none for the configured components.
     */
    public Map<String, Long> limitsDrift(String offeringKey, Map<String, Object> resource, String listing, String account) {
        Offering o = offering(offeringKey);
        Map<String, Long> slurm = SacctmgrOutput.tresLimits(listing, account);
        Map<String, Long> fromSlurm = TresLimits.toWaldur(o.components(), slurm);
        if (fromSlurm.isEmpty()) {
            return null;
        }
        Map<String, ? extends Number> waldur = numbers(resource.get("limits"));
        for (Map.Entry<String, Long> e : fromSlurm.entrySet()) {
            Number w = waldur.get(e.getKey());
            if (w == null || w.longValue() != e.getValue()) {
                return fromSlurm;
            }
        }
        return null;
    }

    public SlurmCommand setDefaultQos(String offeringKey, String account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().setAccountQos(account, o.settings().qosDefault()));
    }

    // --- periodic limits (slurm.md §3 "Periodic limits") ---------------------------------------

    public SlurmCommand setFairshare(String offeringKey, String account, int fairshare) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().setFairshare(account, fairshare));
    }

    public SlurmCommand setAccountLimit(String offeringKey, String account, AccountLimitType type, String tres, long value) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().setAccountLimit(account, type.sacctmgrName(), tres, value));
    }

    public SlurmCommand resetRawUsage(String offeringKey, String account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().resetRawUsage(account));
    }

    /** {@code periodic_limits.limit_type} of the offering, GrpTRESMins when it has none. */
    public AccountLimitType periodicLimitType(String offeringKey) {
        Object type = offering(offeringKey).settings().periodicLimits().get("limit_type");
        return type == null || String.valueOf(type).isBlank() ? AccountLimitType.GRP_TRES_MINS : AccountLimitType.of(String.valueOf(type));
    }

    public boolean isEmpty(Object map) {
        return !(map instanceof Map<?, ?> m) || m.isEmpty();
    }

    // --- results --------------------------------------------------------------------------------

    /** Stdout of a finished command, or the exception that says why it failed and whether retrying helps. */
    public Object result(Exchange exchange) {
        SlurmCommand command = exchange.getVariable("slurmCommand", SlurmCommand.class);
        Integer exit = exchange.getMessage().getHeader(ExecBinding.EXEC_EXIT_VALUE, Integer.class);
        String stdout = exchange.getMessage().getBody(String.class);
        String stderr = exchange.getMessage().getHeader(ExecBinding.EXEC_STDERR, String.class);
        int rc = exit == null ? -1 : exit;
        if (command.kind() == SlurmCommand.Kind.USER_EXISTS) {
            return UnixUserCommands.userExists(command.argv(), rc, stdout == null ? "" : stdout, stderr == null ? "" : stderr);
        }
        if (rc == KILLED_BY_TIMEOUT) {
            throw new SlurmUnavailableException(command.argv(), rc, stdout == null ? "" : stdout,
                    "killed after agent.slurm.commandTimeout" + (stderr == null ? "" : ": " + stderr));
        }
        return SlurmCommandResult.check(command.argv(), rc, stdout == null ? "" : stdout, stderr == null ? "" : stderr);
    }

    /** The program could not be started at all: a misconfigured slurm_bin_path, not something a retry fixes. */
    public void cannotRun(Exchange exchange) {
        SlurmCommand command = exchange.getVariable("slurmCommand", SlurmCommand.class);
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        throw new SlurmCommandException(command.argv(), -1, "", "cannot run " + command.getExecutable() + ": "
                + (t == null ? "unknown error" : t.getMessage()));
    }

    private static String text(Map<String, Object> map, String key) {
        Object v = map == null ? null : map.get(key);
        return v == null ? "" : String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ? extends Number> numbers(Object limits) {
        if (!(limits instanceof Map<?, ?> m)) {
            return Map.of();
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof Number)) {
                throw new InvalidResourceDataException("limit " + e.getKey() + " is not a number: " + e.getValue());
            }
        }
        return (Map<String, ? extends Number>) m;
    }

    public AgentConfig config() {
        return config;
    }
}
