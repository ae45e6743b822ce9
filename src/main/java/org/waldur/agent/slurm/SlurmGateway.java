package org.waldur.agent.slurm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.component.exec.ExecBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    private static final Logger LOG = LoggerFactory.getLogger(SlurmGateway.class);

    /** camel-exec reports a command killed at its timeout as exit value 143 (SIGTERM), without an exception. */
    private static final int KILLED_BY_TIMEOUT = 143;

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
        if (allocation.equals(project) || allocation.equals(customer)) {
            // the tiers would collapse and a later Terminate would delete the project or customer account
            throw new InvalidResourceDataException("Resource " + uuid + ": allocation account " + allocation
                    + " has the same name as its " + (allocation.equals(project) ? "project" : "customer")
                    + " account; use different allocation_prefix and project_prefix/customer_prefix");
        }
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

    /** One {@code show account} for every account of the plan. */
    public SlurmCommand showAccounts(String offeringKey, AccountPlan plan) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().showAccounts(plan.names()));
    }

    /** {@link AccountPlan#missing}: what to add, parents first; a new allocation account carries {@code limits}. */
    public List<AccountSpec> missingAccounts(AccountPlan plan, String showAccountsOutput, LimitsPlan limits) {
        return plan.missing(showAccountsOutput, limits);
    }

    /** The limits still need a {@code modify}: the allocation account existed, so it was not added with them. */
    public boolean limitsStillToSet(AccountPlan plan, List<AccountSpec> added, LimitsPlan limits) {
        return limits != null && limits.isHasSlurmLimits() && !plan.addsAllocationWithLimits(added);
    }

    /** {@code add account}, with the GrpTRESMins the spec carries. */
    public SlurmCommand addAccount(String offeringKey, AccountSpec account) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().addAccount(account.getName(), account.getDescription(),
                account.getOrganization(), account.getParent(), account.getGrpTresMins()));
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

    // --- importing accounts (protocol §5.10) ---------------------------------------------------

    /** {@code list account format=account,organization,description}: every account, for an import request. */
    public SlurmCommand listAccountsWithOrganization(String offeringKey) {
        Offering o = offering(offeringKey);
        return sacctmgr(o, o.commands().listAccountsWithOrganization());
    }

    /**
     * The accounts of {@code listing} ({@link #listAccountsWithOrganization}) that Waldur could import: not the
     * backend_id of any of {@code waldurResources}, organization = project_prefix + a project slug, and not a
     * customer or project account. Those two tiers name themselves as organization (slurm.md §2), allocations
     * name their project account, so an account whose organization is its own name is a tier, not an
     * allocation; with customer_prefix equal to project_prefix this is the only way to tell them apart. The
     * root and default accounts and names the agent could not pass to sacctmgr are left out too.
     */
    public List<ImportableAccount> importableAccounts(String offeringKey, String listing, List<Map<String, Object>> waldurResources) {
        Offering o = offering(offeringKey);
        Set<String> known = new HashSet<>();
        if (waldurResources != null) {
            waldurResources.forEach(r -> known.add(text(r, "backend_id").trim().toLowerCase(Locale.ROOT)));
        }
        known.add(o.settings().rootAccount().toLowerCase(Locale.ROOT));
        if (o.settings().defaultAccount() != null) {
            known.add(o.settings().defaultAccount().toLowerCase(Locale.ROOT));
        }
        String prefix = o.settings().projectPrefix().toLowerCase(Locale.ROOT);
        Map<String, ImportableAccount> importable = new LinkedHashMap<>();
        for (SlurmAccount a : SacctmgrOutput.accountsWithOrganization(listing)) {
            String name = a.name().toLowerCase(Locale.ROOT);
            String organization = a.organization().toLowerCase(Locale.ROOT);
            if (known.contains(name) || !organization.startsWith(prefix) || organization.equals(name)
                    || organization.length() == prefix.length() || importable.containsKey(name)) {
                continue;
            }
            if (!isValidAccountName(a.name())) {
                LOG.warn("SLURM account {} is not imported: the agent cannot manage an account with that name", EscapedText.escapeAndLimit(a.name(), 100));
                continue;
            }
            importable.put(name, new ImportableAccount(a.name(), a.description(), organization.substring(prefix.length())));
        }
        return List.copyOf(importable.values());
    }

    /** GrpTRESMins of {@code account} from {@link #showLimits} in Waldur units, for backend_metadata; empty when none. */
    public Map<String, Long> importLimits(String offeringKey, String listing, String account) {
        return TresLimits.toWaldur(offering(offeringKey).components(), SacctmgrOutput.tresLimits(listing, account));
    }

    private static boolean isValidAccountName(String name) {
        try {
            SlurmNames.account("account", name);
            return true;
        } catch (InvalidSlurmNameException e) {
            return false;
        }
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

    /**
     * {@code add user <u> account=<a> [DefaultAccount=…] Share=parent}; the default account follows
     * {@code default_account_policy}: common → default_account (sacctmgr then also gives the user an
     * association there, which removing the user from the allocation leaves in place), individual → this
     * allocation, none → not set (the first account becomes the default).
     */
    public SlurmCommand addUser(String offeringKey, String user, String account) {
        Offering o = offering(offeringKey);
        String defaultAccount = switch (o.settings().defaultAccountPolicy()) {
            case "individual" -> account;
            case "none" -> null;
            default -> o.settings().defaultAccount();
        };
        return sacctmgr(o, o.commands().addUser(user, account, defaultAccount));
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

    public SlurmCommand showUserLimits(String offeringKey, String account) {
        Offering o = offering(offeringKey);
        return new SlurmCommand(SacctmgrCommands.argv(o.binPath(), SlurmTool.SACCTMGR_READ, o.commands().showUserLimits(account)));
    }

    /**
     * Per-user limits (§5.7 f): for each user with an association, the MaxTRESMins Waldur wants (its
     * component-user-usage-limits × unit_factor, -1 for configured components without a limit) where SLURM
     * has something else. Waldur names users by offering-user URL; {@code offeringUsers} maps them to usernames.
     */
    public List<SlurmCommand> userLimitChanges(String offeringKey, List<Map<String, Object>> waldurLimits,
            List<Map<String, Object>> offeringUsers, String listing, String account) {
        Offering o = offering(offeringKey);
        Map<String, String> usernameByUrl = new java.util.HashMap<>();
        for (Map<String, Object> u : offeringUsers == null ? List.<Map<String, Object>>of() : offeringUsers) {
            if (u.get("url") != null && u.get("username") != null) {
                usernameByUrl.put(String.valueOf(u.get("url")), String.valueOf(u.get("username")).toLowerCase(java.util.Locale.ROOT));
            }
        }
        Map<String, Map<String, Number>> wanted = new java.util.HashMap<>();
        for (Map<String, Object> l : waldurLimits == null ? List.<Map<String, Object>>of() : waldurLimits) {
            String user = usernameByUrl.get(String.valueOf(l.get("user")));
            if (user != null && l.get("limit") != null) {
                wanted.computeIfAbsent(user, k -> new java.util.HashMap<>())
                        .put(String.valueOf(l.get("component_type")), new java.math.BigDecimal(String.valueOf(l.get("limit"))));
            }
        }
        java.util.Set<String> configured = new java.util.TreeSet<>();
        o.components().forEach(c -> configured.add(c.type()));
        List<SlurmCommand> commands = new ArrayList<>();
        SacctmgrOutput.userTresLimits(listing, account).forEach((user, current) -> {
            Map<String, Long> desired = new java.util.TreeMap<>();
            configured.forEach(t -> desired.put(t, -1L));
            desired.putAll(TresLimits.toSlurm(o.components(), wanted.getOrDefault(user.toLowerCase(java.util.Locale.ROOT), Map.of())));
            Map<String, Long> now = new java.util.TreeMap<>();
            configured.forEach(t -> now.put(t, current.getOrDefault(t, -1L)));
            if (!desired.equals(now)) {
                commands.add(sacctmgr(o, o.commands().setUserMaxTresMins(user, account, desired)));
            }
        });
        return commands;
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

    // --- running a command -----------------------------------------------------------------------

    /**
     * First step of the slurm-command route: the {@link SlurmCommand} in the body becomes variable
     * {@code slurmCommand}, its arguments camel-exec's header, and what the route decides on plain variables
     * ({@code slurmExecutable}, {@code slurmWrite}, {@code slurmDryRun}). A bean step, not simple expressions
     * such as {@code ${variable.slurmCommand.executable}}: each of those copies the exchange with all its
     * variables to call one getter, several times per command.
     */
    public void prepare(Exchange exchange) throws InvalidPayloadException {
        SlurmCommand command = exchange.getMessage().getMandatoryBody(SlurmCommand.class);
        exchange.setVariable("slurmCommand", command);
        exchange.setVariable("slurmExecutable", command.getExecutable());
        exchange.setVariable("slurmWrite", command.isAccountingWrite());
        exchange.setVariable("slurmDryRun", isDryRun(exchange.getMessage().getHeader("WaldurOffering", String.class)));
        exchange.getMessage().setHeader(ExecBinding.EXEC_COMMAND_ARGS, command.getArgs());
    }

    // --- dry run -------------------------------------------------------------------------------

    /** {@code backend_settings.dry_run}: no SLURM command runs and nothing changes in Waldur; both are logged instead. */
    public boolean isDryRun(String offeringKey) {
        return Boolean.TRUE.equals(offering(offeringKey).settings().dryRun());
    }

    /** What a command that did not run answers: no output, and no such user. */
    public Object dryRunResult(SlurmCommand command) {
        return command.kind() == SlurmCommand.Kind.USER_EXISTS ? Boolean.FALSE : "";
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
}
