package selflengthen.store;

import selflengthen.v1.DatasetRef;

/** An artifact an artifact was made from, by path under the data root and checksum. */
public record InputRef(String path, String sha256) {
  public static InputRef of(DatasetRef ref) {
    return new InputRef(ref.getPath(), ref.getSha256());
  }
}
