package dev.myelin.core.dispatch;

import dev.myelin.core.DenseKernel;
import dev.myelin.core.Named;
import dev.myelin.core.scalar.ScalarKernel;
import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Finds kernel variants by name and picks the default one.
 *
 * <p>Variants come from three places: the built-ins ({@code scalar}, and {@code vector}, {@code blocked} and
 * {@code parallel} when the Vector API module is present), {@link DenseKernelProvider}s found by
 * {@link ServiceLoader} (one whose name is taken is left out with a warning), and {@link #register}. Names are told
 * apart without ASCII case, so no two may differ only in case. Providers are looked up through the class loader of
 * this class and the thread's context class loader at first use, and again through the calling thread's context
 * loader whenever a name is not found (or the names are listed) and that loader has not been searched yet: a jar
 * that a plugin host or a Spark executor adds through a task's loader is found once that loader is the thread's
 * context loader. A variant whose factory throws is reported as {@link KernelUnavailableException}.
 * The default is {@code -Dmyelin.kernel=NAME} when set, otherwise the first available of
 * {@link #PREFERENCE}; it is published and logged once (threads asking at the same moment share one choice, or
 * choose again where waiting could deadlock or where the shared choice failed). Without the Vector API the
 * default falls back to
 * {@code scalar} with one warning that names the flag to add.
 */
public final class KernelRegistry {

    /** System property that forces the default variant. */
    public static final String KERNEL_PROPERTY = "myelin.kernel";

    /** System property setting the thread count of {@code parallel}; unset means all available processors. */
    public static final String THREADS_PROPERTY = "myelin.threads";

    /** Built-in variants, fastest first: the default is the first one available. */
    static final List<String> PREFERENCE = List.of("parallel", "blocked", "vector", ScalarKernel.NAME);

    private static final System.Logger LOG = System.getLogger("dev.myelin");

    private static final Map<String, Supplier<DenseKernel>> FACTORIES = new ConcurrentHashMap<>();
    private static final Map<String, DenseKernel> INSTANCES = new ConcurrentHashMap<>();
    /** Held while a shared instance is made ({@link #get}); reentrant, so a factory may get other kernels. */
    private static final Object CREATION = new Object();
    /** A factory that asks for the kernel it is making, directly or through others' factories. */
    private static final class KernelCycleException extends IllegalArgumentException {
        KernelCycleException(String message) {
            super(message);
        }
    }

    /** The kernels this thread's factories are making now, in the order asked: a cycle is refused, not recursed. */
    private static final ThreadLocal<Set<String>> MAKING = ThreadLocal.withInitial(java.util.LinkedHashSet::new);
    /** Guards only the publication of {@link #defaultKernel}; never held while anything is called. */
    private static final Object DEFAULT_PUBLISH_LOCK = new Object();
    /** The thread running the choice under way ({@link #CHOOSING}), or null. */
    private static volatile Thread chooser;
    /** The choice of the default under way, for other threads to wait for; null when none is. */
    private static final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.FutureTask<DenseKernel>>
            CHOOSING = new java.util.concurrent.atomic.AtomicReference<>();
    /**
     * {@code parallel} by thread count, held weakly: a count nobody uses any more lets its kernel go, and with it
     * its worker threads (a Spark executor or a sweep over counts would otherwise keep every count's workers).
     */
    private static final Map<Integer, WeakReference<DenseKernel>> PARALLEL_BY_THREADS = new ConcurrentHashMap<>();

    /** The built-ins that exist only with the Vector API module. */
    private static final Set<String> VECTOR_API_NAMES = Set.of("vector", "blocked", "parallel");

    /**
     * The class loaders whose providers have been loaded, held weakly: a loader that contributed nothing may go (a
     * finished task's); one whose provider is registered stays, held by the factory, as its kernel must stay
     * usable. Under FACTORIES, as are the two below.
     */
    private static final Set<ClassLoader> SEARCHED = Collections.newSetFromMap(new WeakHashMap<>());
    /** The provider class behind each name a provider registered. */
    private static final Map<String, Class<?>> PROVIDER_CLASSES = new HashMap<>();
    /**
     * Provider classes already registered or left out: a loader searched later (a child's) does not make them again
     * and says nothing of them. (Two threads searching one new loader at the same moment may each make its
     * providers; only one set is registered.)
     */
    private static final Set<Class<?>> SEEN_PROVIDERS = Collections.newSetFromMap(new WeakHashMap<>());
    /**
     * The loaders this thread is searching now: a provider that calls the registry from its constructor or name()
     * gets what is registered so far instead of starting the same search again (which recursed without end).
     */
    private static final ThreadLocal<Set<ClassLoader>> SEARCHING = ThreadLocal.withInitial(java.util.HashSet::new);
    /** Warnings already given: a services file that several loaders see is warned about once. */
    private static final Set<String> WARNED = new java.util.HashSet<>();

    static {
        FACTORIES.put(ScalarKernel.NAME, ScalarKernel::new);
        if (VectorSupport.available()) {
            FACTORIES.put("vector", () -> VectorSupport.vectorKernel(VectorSupport.requestedBits()).orElseThrow());
            FACTORIES.put("blocked", () -> VectorSupport.blockedKernel(VectorSupport.requestedBits()).orElseThrow());
            FACTORIES.put("parallel", () -> VectorSupport.defaultParallelKernel(VectorSupport.requestedBits(),
                    defaultThreads()).orElseThrow());
        }
        loadProviders(KernelRegistry.class.getClassLoader());
        loadProviders(Thread.currentThread().getContextClassLoader());
    }

    /** The most provider entries that may fail to load before the rest of the services files are given up. */
    private static final int MAX_PROVIDER_FAILURES = 100;

    /**
     * Loads the providers the calling thread's context class loader sees, when that loader has not been searched
     * yet ({@link #loadProviders}): a lookup that misses, or a listing, may be on a thread of a plugin host or a
     * Spark task whose loader holds a jar that the first search could not see.
     */
    private static void searchContextLoader() {
        loadProviders(Thread.currentThread().getContextClassLoader());
    }

    /**
     * Registers every {@link DenseKernelProvider} the ServiceLoader finds through {@code loader} (null: the system
     * class loader), once per loader; a provider class already registered through another loader is skipped. A
     * provider that cannot be used (a services line naming no class, a class without a public no-argument
     * constructor or whose initialiser throws, a {@code name()} that throws, is empty, malformed or taken) is left
     * out with a warning that names it: one jar's mistake must not stop every command, the built-ins and the other
     * jars' kernels included.
     */
    private static void loadProviders(ClassLoader loader) {
        ClassLoader searched = loader == null ? ClassLoader.getSystemClassLoader() : loader;
        synchronized (FACTORIES) {
            if (SEARCHED.contains(searched)) {
                return;
            }
        }
        Set<ClassLoader> mine = SEARCHING.get();
        if (!mine.add(searched)) {
            return; // called back by a provider of this very search
        }
        // the providers' own code (initialisers, constructors, name()) runs outside the registry's locks: it may call
        // the registry, and a thread holding FACTORIES while another holds CREATION would deadlock
        List<Discovered> found;
        try {
            found = discover(searched);
        } finally {
            mine.remove(searched);
        }
        synchronized (FACTORIES) {
            if (SEARCHED.add(searched)) { // not when another thread searched the same loader meanwhile
                found.forEach(KernelRegistry::register);
            }
        }
    }

    /**
     * A provider the ServiceLoader made, with its name, or the warning that leaves it (or a services line) out;
     * {@code type} is the provider's class when known, so that one that failed is not made again by a later search.
     */
    private record Discovered(Class<?> type, DenseKernelProvider provider, String name, String warning) {
    }

    /**
     * Every provider {@code loader}'s services files name, instantiated, named or warned about; no lock held. A
     * provider class already seen (through a parent loader) is not made again.
     */
    private static List<Discovered> discover(ClassLoader loader) {
        Set<Class<?>> seen;
        synchronized (FACTORIES) {
            seen = new java.util.HashSet<>(SEEN_PROVIDERS);
        }
        List<Discovered> found = new java.util.ArrayList<>();
        Iterator<ServiceLoader.Provider<DenseKernelProvider>> providers =
                ServiceLoader.load(DenseKernelProvider.class, loader).stream().iterator();
        int failures = 0;
        while (failures < MAX_PROVIDER_FAILURES) {
            DenseKernelProvider provider;
            Class<?> type = null;
            try {
                if (!providers.hasNext()) {
                    return found;
                }
                ServiceLoader.Provider<DenseKernelProvider> entry = providers.next();
                type = entry.type();
                if (seen.contains(type)) {
                    continue;
                }
                provider = entry.get();
            } catch (ServiceConfigurationError | LinkageError e) { // the loader goes on to the next entry
                failures++;
                found.add(new Discovered(type, null, null, "Myelin: a kernel provider is ignored: " + OneLine.causes(e)));
                continue;
            }
            try {
                found.add(new Discovered(type, provider, provider.name() == null ? "" : provider.name().trim(), null));
            } catch (RuntimeException | LinkageError e) {
                found.add(new Discovered(type, provider, null, "Myelin: the kernel provider "
                        + provider.getClass().getName() + " is ignored: its name() threw " + OneLine.causes(e)));
            }
        }
        found.add(new Discovered(null, null, null, "Myelin: " + MAX_PROVIDER_FAILURES + " kernel providers failed to"
                + " load; any after them are not tried"));
        return found;
    }

    /**
     * Registers a discovered provider, or warns (once) why it is left out: a name that is malformed or taken (by a
     * built-in, another provider, or the same provider seen through another class loader). Under FACTORIES.
     */
    private static void register(Discovered d) {
        if (d.type() != null && !SEEN_PROVIDERS.add(d.type())) {
            return; // the same class, seen again through a child loader
        }
        if (d.warning() != null) {
            warnOnce(d.warning());
            return;
        }
        String name = d.name();
        String className = d.provider().getClass().getName();
        String malformed = malformedName(name);
        String taken = malformed == null ? takenName(name) : null;
        if (malformed != null || taken != null) { // a name that would hide a kernel, or be hidden: said, not lost
            Class<?> holder = taken == null ? null : PROVIDER_CLASSES.get(taken);
            warnOnce("Myelin: the kernel provider " + className + " is ignored: " + (malformed != null ? malformed
                    : holder != null && holder.getName().equals(className) ? "its variant '" + taken + "' is already"
                            + " registered from another class loader (a second copy of the same jar)"
                    : "its name '" + name + "' is taken by the kernel '" + taken + "'"
                            + (taken.equals(name) ? "" : " (names are told apart without case)")));
            return;
        }
        FACTORIES.put(name, guarded(name, "its provider " + className, d.provider()::create));
        PROVIDER_CLASSES.put(name, d.provider().getClass());
    }

    private static void warnOnce(String message) {
        if (WARNED.add(message)) {
            warn(message);
        }
    }

    /**
     * {@code factory}, its failures reported as {@link KernelUnavailableException} naming the variant and
     * {@code origin}: a provider's {@code create()} that throws (a native library missing, an unusable setting) is
     * the caller's environment, not a bug in Myelin, and the message must say which variant failed and why.
     */
    static Supplier<DenseKernel> guarded(String name, String origin, Supplier<DenseKernel> factory) {
        return () -> {
            try {
                return factory.get();
            } catch (KernelCycleException e) { // the variants' own wiring, said once, not wrapped by every factory on the way
                throw e;
            } catch (RuntimeException | LinkageError e) {
                throw new KernelUnavailableException(name, origin, e);
            }
        };
    }

    private static void warn(String message) {
        LOG.log(System.Logger.Level.WARNING, message);
    }

    /**
     * Why {@code name} cannot name a kernel, or null when it can: a name is letters, digits and {@code . _ + -}.
     * Other characters have meanings where names are written: a comma separates the names of {@code --kernels} and of
     * JMH's {@code -p kernel=}, {@code @} joins a name and a vector width in checkpoints, blanks end an option.
     */
    static String malformedName(String name) {
        if (name.isEmpty()) {
            return "its name is empty";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = c < 128 && (Character.isLetterOrDigit(c) || ".-_+".indexOf(c) >= 0);
            if (!allowed) {
                return "its name '" + name + "' has '" + c + "' in it (a kernel name is letters, digits and . _ + -)";
            }
        }
        return null;
    }

    private KernelRegistry() {
    }

    /**
     * The default variant once chosen. Not a holder class: a bad property must reach the caller as the
     * IllegalArgumentException that names it, every time, not as an ExceptionInInitializerError once and a
     * NoClassDefFoundError after.
     */
    private static volatile DenseKernel defaultKernel;

    /**
     * The default variant (see the class comment), chosen on first use, published and logged once.
     *
     * @throws IllegalArgumentException when {@code -Dmyelin.kernel}, {@code -Dmyelin.vectorBits},
     *                                  {@code -Dmyelin.threads} or {@code -Dmyelin.loopOrder} has a value that cannot
     *                                  be used
     */
    public static DenseKernel defaultKernel() {
        DenseKernel chosen = defaultKernel;
        if (chosen != null) {
            return chosen;
        }
        // Chosen under no lock of its own: a lock held around get() deadlocked against a factory that asks for the
        // default (a wrapper of "whatever the default is") while another thread held CREATION for it. A factory
        // (holding CREATION) chooses for itself; any other thread waits for a choice under way, which may find a
        // variant only the choosing thread's context loader sees (-Dmyelin.kernel naming a plugin's kernel).
        chosen = Thread.holdsLock(CREATION) ? chooseDefault() : chooseOrAwaitChoice();
        boolean first;
        synchronized (DEFAULT_PUBLISH_LOCK) {
            first = defaultKernel == null;
            if (first) {
                defaultKernel = chosen;
            }
            chosen = defaultKernel;
        }
        if (first) { // logged once, outside the lock: a logging handler may call the registry
            logDefault(chosen);
        }
        return chosen;
    }


    /**
     * Checks three properties without logging: {@code -Dmyelin.kernel} must name a variant, {@code
     * -Dmyelin.vectorBits} a width and {@code -Dmyelin.loopOrder} an order (when the Vector API is there to use
     * them). A built-in is not created here; a variant from a provider is (and kept, as every lookup keeps it), since
     * only making it shows whether it can run here ({@link KernelUnavailableException}). Front ends call it first, so
     * that a bad value fails as one message before any work. ({@code -Dmyelin.threads} is checked by
     * {@link #defaultThreads()}, only where no explicit count overrides it.)
     *
     * @throws IllegalArgumentException naming the property and its value
     */
    public static void checkProperties() {
        String forced = System.getProperty(KERNEL_PROPERTY);
        // a registered built-in is not made here; anything else is looked up (an unknown name, a built-in that needs
        // the missing Vector API, a provider's variant, which only making it shows to be usable)
        boolean builtIn = forced != null && PREFERENCE.contains(key(forced)) && FACTORIES.containsKey(key(forced));
        if (forced != null && !forced.isBlank() && !builtIn) {
            try {
                get(forced);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-D" + KERNEL_PROPERTY + "=" + forced + ": " + e.getMessage(), e);
            }
        }
        if (VectorSupport.available()) {
            VectorSupport.requestedBits();
            LoopOrder.forced();
        }
    }

    /** The most threads {@code parallel} may be given: {@link ThreadLimit#max()}, whose comment says why. */
    public static int maxThreads() {
        return ThreadLimit.max();
    }

    /**
     * {@code threads} when it is in [1, {@link #maxThreads()}].
     *
     * @param source what the count came from, for the message (e.g. {@code --threads})
     * @throws IllegalArgumentException otherwise, naming {@code source}, the value and the bound
     */
    public static int checkThreads(int threads, String source) {
        return ThreadLimit.check(threads, source);
    }

    /**
     * The registered name {@code name} stands for: itself, trimmed, when registered (or a built-in that needs the
     * Vector API); else the one registered name it equals with ASCII letters compared without case, as option
     * values are read ({@link Named#parse}: {@code SCALAR} is scalar); else itself, trimmed, to be refused.
     */
    private static String key(String name) {
        String text = name == null ? "" : name.trim();
        if (FACTORIES.containsKey(text) || VECTOR_API_NAMES.contains(text)) {
            return text;
        }
        List<String> same = namesLike(text);
        return same.size() == 1 ? same.get(0) : text;
    }

    /**
     * The variant registered as {@code name} (letters in either case, see {@link #key}); one shared instance per
     * name.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the known ones), or for
     *                                  {@code vector} when the Vector API module is missing
     */
    public static DenseKernel get(String name) {
        if (name == null) {
            throw new UnknownKernelException("kernel name is null (available: " + String.join(", ", names()) + ")");
        }
        String key = key(name);
        DenseKernel cached = INSTANCES.get(key);
        if (cached != null) {
            return cached;
        }
        Supplier<DenseKernel> factory = FACTORIES.get(key);
        // (not from inside a factory, which holds CREATION: a provider class initialised by the search could be waiting
        // for CREATION on another thread; a factory gets the variants already found)
        if (factory == null && !VECTOR_API_NAMES.contains(key) && !Thread.holdsLock(CREATION)) {
            searchContextLoader(); // a provider this thread's loader sees, and no earlier search did
            key = key(name);
            factory = FACTORIES.get(key);
        }
        if (factory == null) {
            if (VECTOR_API_NAMES.contains(key)) {
                throw new IllegalArgumentException("kernel '" + key + "' needs the Vector API: start the JVM with "
                        + VectorSupport.ENABLE_FLAG);
            }
            // a jar of one's own that registered nothing (the services file misnamed, or the jar not on the class
            // path) ends here too: say how a variant gets in
            throw new UnknownKernelException("unknown kernel '" + name + "' (available: "
                    + String.join(", ", names()) + "; a variant of your own is found through a jar's"
                    + " META-INF/services/" + DenseKernelProvider.class.getName() + " on the class path, e.g."
                    + " MYELIN_CLASSPATH: docs/architecture.md)");
        }
        // made under one reentrant lock, not in computeIfAbsent: a wrapper's factory may get its delegate here
        // (ForwardingKernel over "blocked"), and a nested computeIfAbsent on the same bin of the map throws
        // "Recursive update", so a wrapper loaded or not depending on its name's hash
        synchronized (CREATION) {
            DenseKernel made = INSTANCES.get(key);
            if (made == null) {
                Set<String> making = MAKING.get();
                if (!making.add(key)) { // its factory asked for itself, directly or through the default or a wrapper
                    throw new KernelCycleException("kernel '" + key + "' cannot be made: its factory asks for"
                            + " kernel '" + key + "' itself while making it (through " + String.join(" -> ",
                            making) + " -> " + key + "; a wrapper registered as the default must name its delegate)");
                }
                try {
                    made = create(key, factory);
                } finally {
                    making.remove(key);
                }
                INSTANCES.put(key, made);
            }
            return made;
        }
    }


    /**
     * A new instance from {@code factory}, registered as {@code name}. Refused, by name, when the factory gives null
     * or makes a kernel whose {@link DenseKernel#name()} is not {@code name}: checkpoints, benchmarks and logs know a
     * kernel by its {@code name()}, so a wrapper answering with its delegate's name would let a model trained on one
     * variant resume on another. (A factory that throws is left to the caller: {@code myelin info} and
     * {@code bench --kernels all} show such a variant as unavailable here.)
     */
    static DenseKernel create(String name, Supplier<DenseKernel> factory) {
        DenseKernel kernel = Objects.requireNonNull(factory.get(),
                () -> "the factory of kernel '" + name + "' returned null");
        String reported = kernel.name();
        if (!name.equals(reported)) { // exactly: a checkpoint records name() and a resume looks it up as written
            throw new IllegalArgumentException("kernel '" + name + "' is refused: the kernel its factory makes"
                    + " calls itself '" + reported + "' (" + kernel.getClass().getName() + ".name()); a kernel's"
                    + " name() must be the name it is selected by, since checkpoints and benchmarks record it"
                    + " (a wrapper extends dev.myelin.core.ForwardingKernel and names itself)");
        }
        return kernel;
    }

    /**
     * The variant {@code name} running on {@code threads} threads: a {@code parallel} instance for that count (one
     * per count, shared while anyone holds it; once nobody does, it and its worker threads go, and a later call
     * makes a new one; the registry's own {@code parallel} when it runs on that count, so that a program asking both
     * ways starts one pool), or the shared single-threaded instance of any other variant, which ignores the count.
     *
     * @throws IllegalArgumentException for an unknown name, or a thread count outside [1, {@link #maxThreads()}]
     */
    public static DenseKernel withThreads(String name, int threads) {
        checkThreads(threads, "thread count");
        String key = key(name);
        if (!key.equals("parallel") || !VectorSupport.available()) {
            return get(key);
        }
        DenseKernel shared = INSTANCES.get(key);
        if (shared == null && threads == defaultThreadsIfValid()) {
            shared = get(key); // made now at the default count, as a later get() would make it
        }
        if (shared != null && shared.threads() == threads) { // the default count: one pool, not two of one size
            return shared;
        }
        DenseKernel[] kernel = new DenseKernel[1];
        PARALLEL_BY_THREADS.compute(threads, (t, held) -> {
            kernel[0] = held == null ? null : held.get();
            if (kernel[0] != null) {
                return held;
            }
            kernel[0] = VectorSupport.sharedParallelKernel(VectorSupport.requestedBits(), t).orElseThrow();
            return new WeakReference<>(kernel[0]);
        });
        return kernel[0];
    }

    /** {@link #defaultThreads()}, or 0 when -Dmyelin.threads is not a usable count (then nothing is shared). */
    private static int defaultThreadsIfValid() {
        try {
            return defaultThreads();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    /**
     * The thread count {@code parallel} uses by default: {@code -Dmyelin.threads=N} when set, otherwise every
     * available processor.
     *
     * @throws IllegalArgumentException when the property is not a whole number in [1, {@link #maxThreads()}]
     */
    public static int defaultThreads() {
        String value = System.getProperty(THREADS_PROPERTY);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        long threads;
        String digits = value.trim();
        // ASCII digits only: Java's parsing also takes other scripts' digits (٣) and a sign
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            threads = 0;
        } else { // digits beyond a long are more threads than any machine has, as a long of them is
            threads = digits.replaceFirst("^0+(?=.)", "").length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + value + " is not a thread count: use a"
                    + " whole number of at least 1");
        }
        return ThreadLimit.check(threads, "-D" + THREADS_PROPERTY, digits);
    }

    /**
     * Registers a variant under {@code name}. A name already taken is refused, also when it differs only in the case
     * of its ASCII letters: names are looked up that way ({@link #get}), so {@code Scalar} beside {@code scalar}
     * would make both unreachable as {@code SCALAR}.
     *
     * @throws IllegalArgumentException for an empty or taken name
     * @throws NullPointerException     if {@code factory} is null
     */
    public static void register(String name, Supplier<DenseKernel> factory) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("kernel name is empty");
        }
        String text = name.trim();
        String malformed = malformedName(text);
        if (malformed != null) {
            throw new IllegalArgumentException("kernel '" + text + "' cannot be registered: " + malformed);
        }
        Objects.requireNonNull(factory, () -> "the factory of kernel '" + text + "' is null");
        synchronized (FACTORIES) {
            String existing = takenName(text);
            if (existing != null) {
                throw new IllegalArgumentException("a kernel named '" + existing + "' is already registered"
                        + (existing.equals(text) ? "" : " (names are told apart without case)"));
            }
            FACTORIES.put(text, guarded(text, "its factory (KernelRegistry.register)", factory));
        }
    }

    /** The registered (or Vector API built-in) name equal to {@code name} without ASCII case, or null. */
    private static String takenName(String name) {
        List<String> same = namesLike(name);
        return same.isEmpty() ? null : same.get(0);
    }

    /** The registered and Vector API built-in names equal to {@code name} without ASCII case, sorted. */
    private static List<String> namesLike(String name) {
        Set<String> known = new java.util.TreeSet<>(FACTORIES.keySet());
        known.addAll(VECTOR_API_NAMES);
        return known.stream().filter(n -> Named.asciiEqualsIgnoreCase(n, name)).toList();
    }

    /** The names of every selectable variant, built-ins first. */
    public static Set<String> names() {
        if (!Thread.holdsLock(CREATION)) { // not from inside a factory, as in get
            searchContextLoader();
        }
        Map<String, Boolean> ordered = new LinkedHashMap<>();
        for (String n : PREFERENCE) {
            if (FACTORIES.containsKey(n)) {
                ordered.put(n, true);
            }
        }
        FACTORIES.keySet().stream().sorted().forEach(n -> ordered.put(n, true));
        return ordered.keySet();
    }

    /**
     * The name of the default variant, without creating (or logging) it: {@code -Dmyelin.kernel} when set,
     * otherwise the first available of {@link #PREFERENCE}.
     */
    public static String defaultName() {
        String forced = System.getProperty(KERNEL_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            return forced.trim();
        }
        return PREFERENCE.stream().filter(FACTORIES::containsKey).findFirst().orElseThrow();
    }

    /**
     * {@link #chooseDefault}, run by the first thread to ask while the others wait for its result; a waiter whose
     * awaited choice failed chooses again itself (its own context loader may see a variant the chooser's did not),
     * and so does a thread that must not wait: the chooser asked again from inside its choice, or a thread inside a
     * provider search (it may hold a provider class's initialisation that the choice under way waits for). A later
     * call chooses again if nothing was published.
     */
    private static DenseKernel chooseOrAwaitChoice() {
        if (chooser == Thread.currentThread() || !SEARCHING.get().isEmpty()) {
            // asked again from inside the choice, or from a provider being made by a search: this thread may hold
            // that provider class's initialisation, which the choice under way may be waiting for
            return chooseDefault();
        }
        java.util.concurrent.FutureTask<DenseKernel> mine = new java.util.concurrent.FutureTask<>(
                KernelRegistry::chooseDefault);
        java.util.concurrent.FutureTask<DenseKernel> running = CHOOSING.compareAndExchange(null, mine);
        if (running == null) {
            running = mine;
            chooser = Thread.currentThread();
            try {
                mine.run();
            } finally {
                chooser = null;
                CHOOSING.compareAndSet(mine, null);
            }
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return running.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the choice is short and must finish: the flag is kept for the caller
                } catch (java.util.concurrent.ExecutionException e) {
                    if (running != mine) { // another thread's choice failed: this thread's own loader may see the name
                        return chooseDefault();
                    }
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static DenseKernel chooseDefault() {
        String forced = System.getProperty(KERNEL_PROPERTY);
        boolean fromProperty = forced != null && !forced.isBlank();
        try {
            return get(defaultName());
        } catch (IllegalArgumentException e) {
            // a known name's factory may fail on another property (-Dmyelin.threads, -Dmyelin.vectorBits), which its
            // message names: only an unknown or unavailable name is this property's fault
            if (!fromProperty || FACTORIES.containsKey(key(forced))) {
                throw e;
            }
            throw new IllegalArgumentException("-D" + KERNEL_PROPERTY + "=" + forced + ": " + e.getMessage(), e);
        }
    }

    /** The one line that says which kernel runs, and why SIMD is off when it is. */
    private static void logDefault(DenseKernel chosen) {
        String forced = System.getProperty(KERNEL_PROPERTY);
        boolean fromProperty = forced != null && !forced.isBlank();
        if (!fromProperty && !VectorSupport.available()) {
            LOG.log(System.Logger.Level.WARNING, "Myelin: the Vector API is not available, running the scalar"
                    + " kernel. Start the JVM with {0} to enable SIMD.", VectorSupport.ENABLE_FLAG);
        }
        LOG.log(System.Logger.Level.INFO, "Myelin kernel: {0}{1}", chosen.describe(),
                fromProperty ? " (from -D" + KERNEL_PROPERTY + ")" : "");
    }
}
