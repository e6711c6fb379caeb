package selflengthen.workers.cli;

import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import selflengthen.workers.WorkerRegistrar;
import selflengthen.workers.registrar.SelfLengthenRegistrar;

/** The {@code selflengthen} command: every executable of the project in one jar. */
@Command(
    name = "selflengthen",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Self-Lengthen (arXiv 2410.23933) as durable Temporal workflows.",
    subcommands = {
      StartCommand.class,
      StatusCommand.class,
      PauseCommand.class,
      UnpauseCommand.class,
      SetParallelismCommand.class,
      CancelCommand.class,
      ResumeCommand.class,
      WorkersCommand.class,
      WorkerCommand.class,
      DemoCommand.class,
      DevCommand.class,
      ServerCommand.class,
      ModelCommand.class,
      BenchCommand.class,
      EvalCommand.class,
      DataCommand.class,
      GenerateCommand.class,
      ServeCommand.class,
      CodecServerCommand.class,
      TrainCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  static {
    // Before anything can load DJL: without these it contacts the network when the engine loads.
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("OPT_OUT_TRACKING", "true");
  }

  @Spec CommandSpec spec;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  boolean verbose;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a command");
  }

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("OPT_OUT_TRACKING", "true");
    System.exit(commandLine().execute(args));
  }

  /** The command line with the production registrar ({@link SelfLengthenRegistrar}). */
  public static CommandLine commandLine() {
    return commandLine(SelfLengthenRegistrar::new);
  }

  /** The command line whose worker and dev commands serve what {@code registrar} registers. */
  public static CommandLine commandLine(Supplier<WorkerRegistrar> registrar) {
    IFactory defaults = CommandLine.defaultFactory();
    IFactory factory = new IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        if (cls == WorkerCommand.class) {
          return cls.cast(new WorkerCommand(registrar));
        }
        if (cls == DevCommand.class) {
          return cls.cast(new DevCommand(registrar));
        }
        if (cls == DemoCommand.class) {
          return cls.cast(new DemoCommand(registrar));
        }
        if (cls == EvalCommand.class) {
          return cls.cast(new EvalCommand(registrar));
        }
        return defaults.create(cls);
      }
    };
    CommandLine cl = new CommandLine(new Main(), factory);
    // Command groups appear once the commands they group are plugged in.
    for (String group : new String[] {"model", "bench"}) {
      if (cl.getSubcommands().get(group).getSubcommands().isEmpty()) {
        cl.getCommandSpec().removeSubcommand(group);
      }
    }
    cl.setExecutionExceptionHandler(Errors.executionHandler());
    cl.setParameterExceptionHandler(Errors.parameterHandler());
    return cl;
  }

  /** The jar's Implementation-Version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"selflengthen " + (v == null ? "(development build)" : v)};
    }
  }
}
