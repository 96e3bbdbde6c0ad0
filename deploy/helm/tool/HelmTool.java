// `helm lint --strict` and `helm template` through helm-java (Helm's own Go code, no helm binary), run by
// deploy/helm/helm.sh with Java's single-file launcher. Several commands run in one JVM (one start-up,
// one native library load), separated by `--next`:
//
//   lint <chart>                                   strict lint with the chart's own values.yaml
//   template <chart> <release> <namespace> [-f values.yaml]... [--set key=value]... [--kube-version v]
//
// Each command's output (lint messages, or the rendered manifests) is framed by
// `#helm-tool begin <n>` and `#helm-tool end <n> <status>` lines, status `ok` or `failed`; the exit code is
// 1 when any command failed, 2 on wrong usage.
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class HelmTool {
  public static void main(String[] args) {
    List<List<String>> commands = new ArrayList<>();
    commands.add(new ArrayList<>());
    for (String arg : args) {
      if (arg.equals("--next")) commands.add(new ArrayList<>());
      else commands.get(commands.size() - 1).add(arg);
    }
    boolean allOk = true;
    for (int n = 0; n < commands.size(); n++) {
      System.out.println("#helm-tool begin " + n);
      boolean ok;
      try {
        ok = run(commands.get(n));
      } catch (RuntimeException e) {
        System.out.println(e.getMessage());
        ok = false;
      }
      System.out.println("#helm-tool end " + n + " " + (ok ? "ok" : "failed"));
      allOk &= ok;
    }
    System.exit(allOk ? 0 : 1);
  }

  private static boolean run(List<String> args) {
    if (args.size() == 2 && args.get(0).equals("lint")) {
      LintResult result = new Helm(Path.of(args.get(1))).lint().strict().call();
      result.getMessages().forEach(System.out::println);
      return !result.isFailed();
    }
    if (args.size() >= 4 && args.get(0).equals("template")) {
      TemplateCommand command =
          new Helm(Path.of(args.get(1))).template().withName(args.get(2)).withNamespace(args.get(3));
      for (int i = 4; i < args.size(); i += 2) {
        if (i + 1 >= args.size()) usage(args);
        String flag = args.get(i);
        String value = args.get(i + 1);
        if (flag.equals("-f")) {
          command = command.withValuesFile(Path.of(value));
        } else if (flag.equals("--kube-version")) {
          command = command.withKubeVersion(value);
        } else if (flag.equals("--set")) {
          String[] pair = value.split("=", 2);
          if (pair.length != 2) usage(args);
          command = command.set(pair[0], pair[1]);
        } else {
          usage(args);
        }
      }
      String manifests = command.call();
      System.out.print(manifests.endsWith("\n") ? manifests : manifests + "\n");
      return true;
    }
    usage(args);
    return false;
  }

  private static void usage(List<String> args) {
    System.err.println("HelmTool: cannot run " + Arrays.toString(args.toArray()));
    System.err.println(
        "usage: HelmTool lint <chart> | template <chart> <release> <namespace> [-f values]... [--set k=v]..."
            + " [--next <command>]...");
    System.exit(2);
  }
}
