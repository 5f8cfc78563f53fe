package io.migctl.nvidia.smi;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Reads what migctl compares from {@code nvidia-smi -q -x}: per GPU its identity, memory, MIG mode.
 */
public final class NvidiaSmiXml {

  private NvidiaSmiXml() {}

  /** One {@code <gpu>} element. */
  public record Gpu(
      String busId,
      String productName,
      String uuid,
      long memoryTotalMiB,
      String migCurrent,
      String migPending,
      String pciDeviceId) {}

  private static final Pattern MIB = Pattern.compile("(\\d+)\\s*MiB");

  /**
   * The GPUs of an {@code nvidia-smi -q -x} document, in document order.
   *
   * @throws IllegalArgumentException when the text is not such a document
   */
  public static List<Gpu> gpus(String xml) {
    Document doc = parse(xml);
    NodeList gpus = doc.getElementsByTagName("gpu");
    List<Gpu> out = new ArrayList<>();
    for (int i = 0; i < gpus.getLength(); i++) {
      Element g = (Element) gpus.item(i);
      out.add(
          new Gpu(
              g.getAttribute("id"),
              text(g, "product_name"),
              text(g, "uuid"),
              mib(firstChildText(g, "fb_memory_usage", "total")),
              firstChildText(g, "mig_mode", "current_mig"),
              firstChildText(g, "mig_mode", "pending_mig"),
              firstChildText(g, "pci", "pci_device_id")));
    }
    return out;
  }

  private static Document parse(String xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      return b.parse(new InputSource(new StringReader(xml)));
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new IllegalArgumentException("not an nvidia-smi -q -x document: " + e.getMessage(), e);
    }
  }

  private static String text(Element parent, String tag) {
    NodeList children = parent.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element e && e.getTagName().equals(tag)) {
        return e.getTextContent().strip();
      }
    }
    return "";
  }

  private static String firstChildText(Element parent, String section, String tag) {
    NodeList children = parent.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element e && e.getTagName().equals(section)) {
        return text(e, tag);
      }
    }
    return "";
  }

  private static long mib(String text) {
    Matcher m = MIB.matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
