"""What the reconstructed Global Times pages say: invented but plausible articles and sections."""

from __future__ import annotations

from tools.mirror.model import Figure, GtArticle

GT_TOURISM = GtArticle(
    article_id="1371581",
    month="202609",
    title="Autumn tourism bookings surge ahead of National Day holiday",
    subtitle="Rural destinations and short-haul trips lead demand, platforms say",
    authors=("Qian Jiayin",),
    source="Global Times",
    published="2026-09-25 07:48:03",
    column=(("CHINA", "china"), ("SOCIETY", "china/society")),
    keywords=("National Day", "tourism", "holiday"),
    figure=Figure(
        src="https://www.globaltimes.cn/Portals/0/attachment/2026/2026-09-25/5c1e8a3f-2b7d-4e61-9c0a-7d3f2e6b9a41.jpeg",
        caption="Tourists visit a scenic area in Zhangjiajie, Central China's Hunan Province, "
        "on September 21, 2026.",
        credit="Photo: VCG",
    ),
    related=("1371539", "1371412"),
    newspaper_headline="Holiday bookings surge",
    paragraphs=(
        "Bookings for trips during the upcoming National Day holiday have risen sharply, with "
        "rural destinations and short-haul trips leading demand, according to several online "
        "travel platforms.",
        "Data from one major platform showed that hotel bookings for the eight-day holiday "
        "starting on October 1 were up about 20 percent compared with the same period last year "
        "as of Wednesday.",
        "Small cities and county-level destinations saw the fastest growth, as travelers looked "
        "for less crowded places and local experiences such as farm stays and harvest festivals.",
        '"Many families now prefer to drive two or three hours to the countryside rather than '
        'join the crowds at famous scenic spots," a Beijing-based industry analyst told the '
        "Global Times on Thursday.",
        "Inbound tourism has also picked up, with bookings by foreign visitors for the holiday "
        "period roughly doubling from a year earlier, helped by visa-free policies.",
        "Local governments have issued guidelines on ticket reservations and crowd control, and "
        "several scenic areas said they would extend their opening hours.",
    ),
    excludes=("Photo: VCG", "RELATED ARTICLES", "Newspaper headline", "Tourists visit a scenic"),
)

GT_VOLUNTEERS = GtArticle(
    article_id="1371539",
    month="202609",
    title="Volunteer teams prepare for holiday travel rush at railway stations",
    subtitle="More than 5,000 volunteers to assist passengers in Beijing",
    authors=("Chen Xi", "Li Hao"),
    source="Global Times",
    published="2026-09-24 22:41:06",
    column=(("CHINA", "china"), ("SOCIETY", "china/society")),
    keywords=("railway", "volunteers", "travel rush"),
    paragraphs=(
        "More than 5,000 volunteers will help passengers at Beijing's major railway stations "
        "during the National Day holiday travel rush, local authorities said on Thursday.",
        "The volunteers, most of them university students and retired railway employees, will "
        "guide passengers, help older travelers and people with disabilities, and answer "
        "questions about ticketing.",
        "China's railway operator expects about 190 million passenger trips during the holiday "
        "period, and will add hundreds of extra trains on busy routes.",
        '"Every year we see many older passengers who are not used to buying tickets online," '
        'said a volunteer team leader at Beijing West Railway Station. "We are here to make '
        'their trip easier."',
        "Stations have also opened more manual ticket windows and set up waiting areas for "
        "families with small children.",
    ),
)

GT_SCITECH = GtArticle(
    article_id="1371412",
    month="202609",
    title="Chinese researchers develop low-cost sensor for crop disease detection",
    subtitle="Device can identify common wheat diseases within minutes",
    authors=("Zhang Ruiqi",),
    source="Global Times",
    published="2026-09-23 21:16:05",
    column=(("CHINA", "china"), ("SCIENCE", "china/scitech")),
    keywords=("agriculture", "sensor", "technology"),
    in_sitemap=False,
    paragraphs=(
        "Chinese researchers have developed a low-cost portable sensor that can identify common "
        "wheat diseases within minutes, which could help farmers reduce pesticide use.",
        "The device, about the size of a mobile phone, analyzes samples of leaves and reports "
        "the result through a smartphone app, the research team said.",
        "Field tests in Henan and Shandong provinces showed that the sensor correctly identified "
        "three common diseases in more than 90 percent of cases.",
        "The team said it aims to bring the cost below 500 yuan so that cooperatives and small "
        "farms can afford it.",
        "Experts said early detection allows farmers to treat only the affected fields, saving "
        "money and reducing the impact on the environment.",
    ),
)

GT_XINHUA = GtArticle(
    article_id="1371467",
    month="202609",
    title="ASEAN, China agree to deepen cooperation in digital economy",
    subtitle="",
    authors=(),
    source="Xinhua",
    published="2026-09-24 10:52:30",
    column=(("WORLD", "world"), ("ASIA-PACIFIC", "world/asia-pacific")),
    keywords=("ASEAN", "digital economy"),
    figure=Figure(
        src="https://www.globaltimes.cn/Portals/0/attachment/2026/2026-09-24/0b9d4e2c-6f31-4c8a-a5e2-3c1f9b7d2e55.jpeg",
        caption="",
        credit="Photo: Xinhua",
    ),
    paragraphs=(
        "Officials from China and member states of the Association of Southeast Asian Nations "
        "(ASEAN) agreed on Tuesday to deepen cooperation in the digital economy, including "
        "cross-border e-commerce and data infrastructure.",
        "The agreement was reached at a ministerial meeting held in Kuala Lumpur, Malaysia, "
        "according to a joint statement released after the meeting.",
        "Both sides pledged to improve the connectivity of digital networks, support small and "
        "medium-sized enterprises in going online, and strengthen cooperation in training.",
        "China has been ASEAN's largest trading partner for many years, and digital trade has "
        "become a fast-growing part of their economic ties.",
    ),
    excludes=("Photo: Xinhua",),
)

GT_VIEWPOINT = GtArticle(
    article_id="1371503",
    month="202609",
    title="Rural revitalization needs patient capital and local talent",
    subtitle="",
    authors=("Song Lian",),
    source="Global Times",
    published="2026-09-24 18:30:12",
    column=(("OPINION", "opinion"), ("VIEWPOINT", "opinion/viewpoint")),
    keywords=("rural revitalization", "investment"),
    paragraphs=(
        "As the autumn harvest gets under way, the question of how to keep rural areas vibrant "
        "is once again in the spotlight.",
        "Over the past decade, infrastructure in the countryside has improved markedly. Roads, "
        "broadband and logistics networks now reach most villages, making it possible for "
        "farmers to sell directly to consumers in cities.",
        "But infrastructure alone is not enough. Rural industries need investment that is "
        "willing to wait several years for a return, and people who understand both local "
        "conditions and modern markets.",
        "Some local governments have started to offer housing and start-up support to young "
        "people who return to their hometowns. Such policies deserve to be evaluated and, where "
        "they work, expanded.",
        "The author is a commentator on economic affairs. opinion@globaltimes.com.cn",
    ),
    excludes=("opinion@globaltimes.com.cn",),
)

GT_WORLD = GtArticle(
    article_id="1371612",
    month="202609",
    title="Latin American exporters eye new routes to Asian markets",
    subtitle="Shipping links and port investment draw business interest",
    authors=("Liang Rui",),
    source="Global Times",
    published="2026-09-25 11:05:47",
    column=(("WORLD", "world"), ("AMERICAS", "world/americas")),
    keywords=("trade", "Latin America", "shipping"),
    figure=Figure(
        src="https://www.globaltimes.cn/Portals/0/attachment/2026/2026-09-25/8e2a6c1d-3b9f-4d07-b1e4-5a8c0f2d7b63.jpeg",
        caption="Containers are stacked at a port in Chancay, Peru, on September 18, 2026.",
        credit="Photo: AFP",
    ),
    related=("1371467",),
    paragraphs=(
        "Exporters in Latin America are looking at new shipping routes to reach Asian markets "
        "faster, as port investment on the Pacific coast shortens transit times.",
        "Business groups in Peru and Chile said new direct services have cut the journey to "
        "Chinese ports by up to 10 days for some goods, including fruit, seafood and copper.",
        '"Faster routes mean fresher products and lower costs," said the head of a Peruvian '
        "fruit exporters' association.",
        "Chinese experts said the trend reflects growing complementarity between the two "
        "regions, and that more exchanges between companies are expected.",
    ),
    excludes=("Photo: AFP", "RELATED ARTICLES", "Containers are stacked"),
)

GT_LEGACY_XIPLOMACY = GtArticle(
    article_id="1094642",
    month="",
    title="Five years on, Xiplomacy is reshaping China's global role for a better world",
    subtitle="",
    authors=("Cui Fandi",),
    source="Global Times",
    published="2018-03-21 21:23:40",
    column=(("CHINA", "china"), ("DIPLOMACY", "china/diplomacy")),
    in_sitemap=False,
    paragraphs=(
        "Over the past five years, Chinese President Xi Jinping has visited 57 countries and "
        "received more than 110 foreign heads of state.",
        "Analysts said the frequency of high-level exchanges reflects China's growing "
        "engagement with the rest of the world and its interest in a stable international "
        "environment for development.",
        "The Belt and Road initiative, proposed in 2013, has become a major platform for "
        "cooperation, with more than 80 countries and international organizations signing "
        "cooperation agreements.",
        "Observers noted that China has also played a more active role in multilateral "
        "institutions, including the United Nations and the G20.",
        "Experts said the coming years will test how China balances its domestic priorities "
        "with its expanding international responsibilities.",
    ),
)

GT_LEGACY_HUKOU = GtArticle(
    article_id="1094613",
    month="",
    title="Shanghai issues new policy against dual citizenship",
    subtitle="",
    authors=("Tao Mingyang",),
    source="Global Times",
    published="2018-03-21 19:58:11",
    column=(("CHINA", "china"), ("SOCIETY", "china/society")),
    place="Shanghai",
    in_sitemap=False,
    paragraphs=(
        "Shanghai's new policy on the household registration permit, or hukou, empowers police "
        "to cancel the hukou of citizens who acquire a foreign nationality, local authorities "
        "said.",
        "China's Nationality Law does not recognize dual nationality. Under the new rules, "
        "residents who have settled abroad and obtained foreign citizenship are required to "
        "cancel their hukou.",
        "An observer said the policy targets dual citizenship issues and will help the "
        "government manage public services and records more accurately.",
        "Officials said residents affected by the change can consult local police stations, "
        "and that the procedures will be made available online.",
    ),
)

GT_ARTICLES: tuple[GtArticle, ...] = (
    GT_TOURISM,
    GT_VOLUNTEERS,
    GT_SCITECH,
    GT_XINHUA,
    GT_VIEWPOINT,
    GT_WORLD,
    GT_LEGACY_XIPLOMACY,
    GT_LEGACY_HUKOU,
)

# Global Times section index pages: section path -> (heading, article ids, newest first). One
# page per default section of spiders/globaltimes.py; the mirror has too few stories to give
# each section its own, so some are listed in more than one section (see
# archiver/mirror/SOURCES.md).
# 1371539 is on no section page, only in the sitemap (as a story of a section no default
# start page covers would be).
GT_SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "china": ("CHINA", ("1371581", "1371412")),
    "opinion": ("OPINION", ("1371503",)),
    "source": ("SOURCE", ("1371612", "1371412")),
    "world": ("WORLD", ("1371612", "1371467")),
    "business": ("BUSINESS", ("1371612", "1371467")),
    "life": ("LIFE", ("1371581",)),
    "sport": ("SPORT", ("1371581",)),
}
# Older items at the end of a section's "MORE" list only (not in its top blocks): the two
# 2018 /content/ articles, so a crawl from the default start pages reaches the old template.
GT_SECTION_OLDER: dict[str, tuple[str, ...]] = {"china": ("1094642", "1094613")}
